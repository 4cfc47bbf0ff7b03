"""Signing in and out of the requester website, and joining an account from an invitation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations import requester_accounts as accounts
from kempelen.web import pages, sessions
from kempelen.web.requester_site.common import PREFIX, SIGN_IN, form_text, render, safe_next

router = APIRouter()


@router.get("/signin")
def sign_in_page(request: Request, next: str = ""):  # noqa: A002 - the query parameter's name
    if sessions.signed_in_as(request, sessions.REQUESTER_LOGIN):
        return pages.redirect(safe_next(next, PREFIX + "/manage"))
    return render(request, "requester_site/signin.html", None, {"next": next, "title": "Sign in"})


@router.post("/signin")
def sign_in(request: Request, form: FormData = Depends(sessions.csrf_form)):
    email, password = form_text(form, "email"), form.get("password") or ""
    next_url = safe_next(form_text(form, "next"), PREFIX + "/manage")
    response = pages.redirect(next_url)
    problem = None
    with request.app.state.db.transaction() as session:
        def check() -> str | None:
            found = accounts.authenticate(session, email, password if isinstance(password, str) else "")
            return found.member_id if found else None
        try:
            member_id = sessions.throttled_sign_in(request, session, "requester", email, check)
        except sessions.SignInLocked as locked:
            member_id, problem = None, locked.message
        if member_id is not None:
            sessions.sign_in(request, response, session, sessions.REQUESTER_LOGIN, member_id)
        elif problem is None:
            problem = "That email address and password do not match an account."
    if problem:
        return render(request, "requester_site/signin.html", None,
                      {"next": next_url, "email": email, "problem": problem, "title": "Sign in"}, status=400)
    return response


@router.post("/signout")
def sign_out(request: Request, form: FormData = Depends(sessions.csrf_form)):
    response = pages.redirect(SIGN_IN)
    sessions.sign_out(request, response)
    return response


@router.get("/invite/{code}")
def invitation(request: Request, code: str):
    state = request.app.state
    try:
        with state.db.transaction(writes=False) as session:
            invite = accounts.pending_invite(session, state.clock.now(), code)
            email = invite.email
    except errors.WorkerError as exc:
        return render(request, "requester_site/invite.html", None, {"problem": exc.message, "title": "Invitation"},
                      status=404)
    return render(request, "requester_site/invite.html", None, {"email": email, "code": code,
                                                                 "title": "Join a requester account"})


@router.post("/invite/{code}")
def accept_invitation(request: Request, code: str, form: FormData = Depends(sessions.csrf_form)):
    state = request.app.state
    password, again = form.get("password") or "", form.get("password_again") or ""
    response = pages.redirect(PREFIX + "/manage")
    try:
        if password != again:
            raise errors.password_invalid("The two passwords differ.")
        with state.db.transaction() as session:
            member = accounts.accept_invite(session, state.clock.now(), code, str(password))
            sessions.sign_in(request, response, session, sessions.REQUESTER_LOGIN, member.member_id)
    except errors.WorkerError as exc:
        with state.db.transaction(writes=False) as session:
            try:
                email = accounts.pending_invite(session, state.clock.now(), code).email
            except errors.WorkerError:
                email = None
        return render(request, "requester_site/invite.html", None,
                      {"problem": exc.message, "email": email, "code": code if email else None,
                       "title": "Join a requester account"}, status=400)
    return response
