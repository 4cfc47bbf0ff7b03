"""Sign up, sign in and out, one-time sign-in links; and the admin's routes that make invite codes and links."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.auth.workers import bearer, is_admin
from kempelen.operations.worksite import accounts
from kempelen.web import pages, sessions
from kempelen.web.worker_site.common import safe_next, signup_mode
from kempelen.web.workers import public_url

router = APIRouter()

SITE = "worker"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/signin")
def sign_in_page(request: Request, next: str | None = None):  # noqa: A002 - the usual name
    if sessions.signed_in_as(request, sessions.WORKER):
        return pages.redirect(safe_next(next))
    return pages.render(request, "worker_site/signin.html", {"next": safe_next(next), "values": {},
                                                             "signup_open": signup_mode(request) != "closed"})


@router.post("/signin")
def sign_in(request: Request, form: FormData = Depends(sessions.csrf_form)):
    worker_id, password, next_url = _text(form, "worker_id").strip(), _text(form, "password"), _text(form, "next")
    state = request.app.state
    response = pages.redirect(safe_next(next_url))
    problem = None
    with state.db.transaction() as session:
        try:
            found = sessions.throttled_sign_in(request, session, SITE, worker_id,
                                               lambda: accounts.check_password(session, worker_id, password))
        except sessions.SignInLocked as locked:
            found, problem = None, locked.message
        if found is not None:
            sessions.sign_in(request, response, session, sessions.WORKER, found)
            return response
    return pages.render(request, "worker_site/signin.html",
                        {"next": safe_next(next_url), "values": {"worker_id": worker_id},
                         "problem": problem or errors.sign_in_failed().message,
                         "signup_open": signup_mode(request) != "closed"}, status=401 if not problem else 429)


@router.get("/signup")
def sign_up_page(request: Request, invite: str | None = None):
    return pages.render(request, "worker_site/signup.html", {"mode": signup_mode(request), "values": {"invite": invite or ""},
                                                             "field_errors": {}})


@router.post("/signup")
def sign_up(request: Request, form: FormData = Depends(sessions.csrf_form)):
    mode = signup_mode(request)
    values = {"worker_id": _text(form, "worker_id").strip().upper(), "invite": _text(form, "invite").strip()}
    password, confirm = _text(form, "password"), _text(form, "confirm")
    field_errors: dict[str, str] = {}
    if password != confirm:
        field_errors["confirm"] = "The two passwords are not the same."
    refusals = accounts.sign_up_refusals(mode, password, values["worker_id"] or None)
    if not refusals and not field_errors:
        state = request.app.state
        response = pages.redirect("/dashboard?welcome=1")
        try:
            with state.db.transaction() as session:
                worker = accounts.sign_up(session, state.clock.now(), mode, password, values["invite"],
                                          values["worker_id"] or None)
                sessions.sign_in(request, response, session, sessions.WORKER, worker.worker_id)
            return response
        except errors.WorkerError as refused:
            refusals = [refused]
    for refused in refusals:
        field = _SIGN_UP_FIELDS.get(refused.code)
        if field is None:  # not about one field (sign-up closed): the page says so above the form
            return pages.render(request, "worker_site/signup.html",
                                {"mode": mode, "values": values, "field_errors": {}, "problem": refused.message},
                                status=refused.status)
        field_errors.setdefault(field, refused.message)
    return pages.render(request, "worker_site/signup.html", {"mode": mode, "values": values,
                                                             "field_errors": field_errors}, status=400)


#: which field of the sign-up form each refusal is about
_SIGN_UP_FIELDS = {"InvalidPassword": "password", "InvalidInviteCode": "invite", "InvalidWorkerId": "worker_id",
                   "WorkerAlreadyExists": "worker_id"}


@router.post("/signout")
def sign_out(request: Request, _form: FormData = Depends(sessions.csrf_form)):
    response = pages.redirect("/signin")
    sessions.sign_out(request, response)
    return response


@router.get("/signin/link/{token}")
def sign_in_link_page(request: Request, token: str):
    """Confirm first: a GET must not spend the link (mail scanners follow links)."""
    return pages.render(request, "worker_site/signin_link.html", {"token": token})


@router.post("/signin/link/{token}")
def sign_in_by_link(request: Request, token: str, _form: FormData = Depends(sessions.csrf_form)):
    state = request.app.state
    response = pages.redirect("/dashboard")
    try:
        with state.db.transaction() as session:
            worker_id = accounts.spend_sign_in_link(session, token, state.clock.now())
            sessions.sign_in(request, response, session, sessions.WORKER, worker_id)
    except errors.WorkerError as refused:
        return pages.render(request, "worker_site/signin_link.html", {"token": None, "problem": refused.message},
                            status=refused.status)
    return response


# --- the admin's side (JSON, admin token), beside the worker API's /api/workers ------------------------


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Password: str


def _require_admin(request: Request, authorization: str | None) -> None:
    if not is_admin(bearer(authorization), request.app.state.settings.effective_admin_token()):
        raise errors.admin_token_required()


@router.post("/api/worker-invites", status_code=201, include_in_schema=True, tags=["worker site"])
def create_invite(request: Request, authorization: str | None = Header(default=None)) -> dict:
    """An invite code for the worker site's sign-up (KEMPELEN_WORKER_SIGNUP=invite), shown only here."""
    _require_admin(request, authorization)
    state = request.app.state
    with state.db.transaction() as session:
        code = accounts.create_invite(session, state.clock.now())
    return {"InviteCode": code, "SignUpURL": f"{public_url(request)}/signup?invite={code}"}


@router.post("/api/workers/{worker_id}/sign-in-link", status_code=201, include_in_schema=True,
             tags=["worker site"])
def create_sign_in_link(worker_id: str, request: Request, authorization: str | None = Header(default=None)) -> dict:
    """A one-time link that signs the worker in to the worker site (valid 7 days), shown only here."""
    _require_admin(request, authorization)
    state = request.app.state
    with state.db.transaction() as session:
        token = accounts.issue_sign_in_link(session, worker_id, state.clock.now())
    return {"WorkerId": worker_id, "SignInURL": f"{public_url(request)}/signin/link/{token}"}


@router.post("/api/workers/{worker_id}/password", include_in_schema=True, tags=["worker site"])
def set_password(worker_id: str, body: PasswordIn, request: Request,
                 authorization: str | None = Header(default=None)) -> dict:
    """Set a worker's worker-site password (signing it out of every browser)."""
    _require_admin(request, authorization)
    state = request.app.state
    with state.db.transaction() as session:
        accounts.set_password_of(session, worker_id, body.Password)
    return {"WorkerId": worker_id}
