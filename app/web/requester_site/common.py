"""What every page of the requester website shares: who is signed in (a member of a requester account), the
operations it calls (the Requester API's own, through operations.requester_site.perform), a one-shot notice
after a POST, and rendering with the sandbox/ledger banner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile

from kempelen import errors, ids
from kempelen.operations import requester_accounts as accounts
from kempelen.operations import requester_site as site
from kempelen.operations.context import OperationContext
from kempelen.web import envelope, pages, sessions
from kempelen.web.workers import public_url

PREFIX = "/requester"
SIGN_IN = PREFIX + "/signin"
FLASH_COOKIE = "kempelen_requester_notice"
log = logging.getLogger("kempelen.requester_site")


@dataclass(frozen=True)
class Member:
    """The signed-in person and the account they act for."""
    member_id: str
    email: str
    requester_id: str
    requester_name: str
    mode: str  # sandbox | ledger


_require_login = sessions.require(sessions.REQUESTER_LOGIN, SIGN_IN)


def signed_in(request: Request, who: sessions.SignedIn = Depends(_require_login)) -> Member:
    """The dependency of every page but sign-in: the member, or a redirect to sign in."""
    member = member_of(request)
    if member is None:  # the member was removed or the account closed since the session began
        raise sessions.SignInRequired(SIGN_IN, request.url.path)
    return member


def member_of(request: Request) -> Member | None:
    """The signed-in member of this request (looked up once), or None."""
    if "requester_member" in request.state._state:
        return request.state.requester_member
    who = sessions.signed_in_as(request, sessions.REQUESTER_LOGIN)
    member = None
    if who is not None:
        with request.app.state.db.transaction(writes=False) as session:
            found = accounts.member(session, who.principal_id)
            if found is not None:
                requester = accounts.account(session, found.requester_id)
                member = Member(found.member_id, found.email, found.requester_id, requester.name, requester.mode)
    request.state.requester_member = member
    return member


def refused_page(request: Request, exc: Exception) -> Response:
    """An operation's refusal that a page did not handle itself (a HIT, project or batch that is not the
    member's): MTurk's text on a page, 404 for what does not exist. Elsewhere (no other door lets one
    escape) it stays what any unexpected error is: the JSON envelope's last resort."""
    if not (request.scope.get("path", "") + "/").startswith(PREFIX + "/"):
        log.error("an operation's refusal escaped %s: %s", request.url.path, exc)
        return envelope.error_response(errors.internal_error())
    status = 404 if "does not exist" in refusal(exc) else 400
    return render(request, "requester_site/missing.html", member_of(request),
                  {"title": "Not found" if status == 404 else "Refused", "problem": refusal(exc)}, status=status)


def read(request: Request, view: Callable[..., Any], *args, **kwargs) -> Any:
    """Run a read-only function of kempelen.operations (session first) in a read transaction of its own."""
    with request.app.state.db.transaction(writes=False) as session:
        return view(session, *args, **kwargs)


def now(request: Request):
    return request.app.state.clock.now()


def act(request: Request, member: Member, fn: Callable[[OperationContext], Any], *, writes: bool = True) -> Any:
    """fn(ctx) in one transaction of its own, with the context a signed call of the member's account gets."""
    state = request.app.state
    with state.db.transaction(writes=writes) as session:
        ctx = site.context(session, member.requester_id, state.clock.now(), state.settings,
                           request_id=ids.request_id(), origin=public_url(request))
        return fn(ctx)


def call(request: Request, member: Member, name: str, members: dict | None = None) -> BaseModel:
    """Requester API operation `name` for the member's account, in one transaction of its own."""
    body = {key: value for key, value in (members or {}).items() if value is not None}
    return act(request, member, lambda ctx: site.perform(ctx, name, body), writes=site.writes(name))


def refusal(exc: Exception) -> str:
    """The text a page shows for an operation's refusal: MTurk's own message."""
    if isinstance(exc, errors.ServiceError | errors.WorkerError):
        return exc.message
    raise exc


def attempt(where: str, work: Callable[[], Any], done: str | Callable[[Any], str]) -> RedirectResponse:
    """Run a change the member asked for; back to `where` with `done` (or done(result)), or with the refusal."""
    try:
        result = work()
    except (errors.ServiceError, errors.WorkerError) as exc:
        return back(where, problem=refusal(exc))
    return back(where, done(result) if callable(done) else done)


def back(url: str, notice: str | None = None, problem: str | None = None) -> RedirectResponse:
    """See the result of a POST with a GET, carrying a one-shot notice (a cookie only this server sets)."""
    response = pages.redirect(url)
    if notice or problem:
        text = ("!" if problem else "") + (problem or notice or "")[:1200]
        response.set_cookie(FLASH_COOKIE, quote(text, safe=""),
                            path=PREFIX, httponly=True, samesite="strict", max_age=120)
    return response


def render(request: Request, template: str, member: Member | None, context: dict[str, Any] | None = None,
           status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    values: dict[str, Any] = {"member": member, "prefix": PREFIX}
    flash = unquote(request.cookies.get(FLASH_COOKIE) or "")
    if flash:
        values["problem" if flash.startswith("!") else "notice"] = flash.removeprefix("!")
    values.update(context or {})
    response = pages.render(request, template, values, status=status, headers=headers)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path=PREFIX)
    return response


def address_refused(request: Request, problems: list[tuple[str, str]]) -> HTMLResponse:
    """The page for an address whose values this site's route cannot use (kempelen.web.envelope)."""
    return render(request, "bad_address.html", member_of(request), {
        "layout": "requester_site/layout.html", "home": PREFIX + "/", "problems": problems}, status=400)


MAX_UPLOAD_BYTES = 32 * 1024 * 1024  # as the /_kempelen/requester routes take


async def uploaded_file(form: FormData, name: str) -> bytes | None:
    """The bytes of the form's file `name`, or None when none was chosen; one too large is refused."""
    file = form.get(name)
    if not isinstance(file, UploadFile):
        return None
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise errors.request_too_large(MAX_UPLOAD_BYTES)
    return data


def query(base: str, **params: Any) -> str:
    """A URL with the non-empty parameters: filters carried from page to page."""
    kept = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{base}?{urlencode(kept)}" if kept else base


def form_text(form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def safe_next(url: str | None, default: str) -> str:
    """Only a path on this site (never another host) after a POST."""
    if url and url.startswith(PREFIX) and not url.startswith("//") and "\\" not in url:
        return url
    return default
