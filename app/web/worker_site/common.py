"""What the worker site's route modules share: who is signed in, and acting as that worker."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlencode

from fastapi import Depends, Request

from kempelen import errors
from kempelen.operations import worksite as ops
from kempelen.web import pages, question_form, sessions
from kempelen.web.workers import public_url

SIGN_IN_PATH = "/signin"

#: the dependency of every page that needs a signed-in worker
signed_in_worker = Depends(sessions.require(sessions.WORKER, SIGN_IN_PATH))


def address_refused(request: Request, problems: list[tuple[str, str]]):
    """The page for an address whose values this site's route cannot use (kempelen.web.envelope)."""
    return pages.render(request, "bad_address.html", {"layout": "worker_site/layout.html", "home": "/",
                                                      "problems": problems}, status=400)


@contextlib.contextmanager
def as_worker(request: Request, who: sessions.SignedIn, *, writes: bool) -> Iterator[ops.WorkerContext]:
    """One transaction as the signed-in worker, at one instant (as the worker API's acting_worker)."""
    state = request.app.state
    with state.db.transaction(writes=writes) as session:
        ctx = ops.worker_context(session, who.principal_id, state.clock.now(), public_url(request),
                                 state.settings.content_url)
        if ctx is None:  # the account is gone: the session is worthless
            raise sessions.SignInRequired(SIGN_IN_PATH, "/")
        yield ctx


def answer_form(ctx: ops.WorkerContext, question: str, form, save) -> tuple[dict[str, str], object]:
    """A posted QuestionForm (a HIT's or a qualification test's): read, checked with the worker API's own
    checks, then `save(answers)` in a savepoint. Returns ({QuestionIdentifier: problem}, what save returned);
    the problems are empty when it was saved."""
    answers = question_form.answers_from_form(question, form)
    problems = question_form.check_form_answers(question, answers)
    if problems:
        return problems, None
    try:
        with ctx.session.begin_nested():
            return {}, save(answers)
    except errors.WorkerError as refused:
        return question_form.field_errors(refused) or {"": refused.message}, None


def signup_mode(request: Request) -> str:
    mode = request.app.state.settings.worker_signup
    return mode if mode in ("open", "invite", "closed") else "closed"


def next_page_url(path: str, token: str | None, shown: int, page_size: int) -> str | None:
    """The link to the next page of a worker listing: only when this page came back full and the operation
    gave a NextToken (a short page is the last one)."""
    return f"{path}?{urlencode({'next': token})}" if token and shown == page_size else None


def safe_next(url: str | None, default: str = "/projects") -> str:
    """Only a path on this site (no scheme, no //host) is a place to go after signing in."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url


# Notices a redirect may ask a page to show (by code, so a link cannot put words on the site).
NOTICES = {
    "submitted": "HIT submitted. Thank you!",
    "returned": "HIT returned. It is available to other workers again.",
    "none-left": "There are no more HITs in that group that you can accept.",
    "expired": "That assignment is no longer active.",
    "auto-accept-on": "The next HIT of a group will be accepted automatically after you submit.",
    "auto-accept-off": "You will come back to the HIT list after you submit.",
    "requested": "Your qualification request was sent.",
}


def notice_of(code: str | None) -> str | None:
    return NOTICES.get(code or "")
