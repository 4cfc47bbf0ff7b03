"""The account: balance and statement, the people who sign in to it (and invitations), notification
settings per HIT type with their events' delivery state; and the Developer page's access keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from kempelen import errors
from kempelen.operations import requester_accounts as accounts
from kempelen.operations import requester_site as site
from kempelen.web import sessions
from kempelen.web.requester_site.common import (PREFIX, Member, back, call, form_text, now, read, refusal, render,
                                           signed_in)
from kempelen.web.workers import public_url

router = APIRouter()

EVENT_TYPES = ("AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned", "AssignmentSubmitted",
               "AssignmentRejected", "AssignmentApproved", "HITCreated", "HITExtended", "HITDisposed",
               "HITReviewable", "HITExpired")


@router.get("/account")
def account_page(request: Request, member: Member = Depends(signed_in)):
    balance = call(request, member, "GetAccountBalance")
    lines = read(request, site.statement, member.requester_id, now(request)) if member.mode == "ledger" else []
    people = read(request, accounts.members, member.requester_id)
    invites = read(request, accounts.pending_invites, now(request), member.requester_id)
    return render(request, "requester_site/account.html", member, {
        "title": "Account", "section": "account", "balance": balance, "lines": list(reversed(lines)),
        "people": people, "invites": invites})


@router.post("/account/invite")
def invite(request: Request, member: Member = Depends(signed_in), form: FormData = Depends(sessions.csrf_form)):
    """Someone already in the account invites a person by email: a one-time link, shown once here."""
    state = request.app.state
    try:
        with state.db.transaction() as session:
            code = accounts.invite(session, state.clock.now(), member.requester_id, form_text(form, "email"),
                                   invited_by=member.email)
    except errors.WorkerError as exc:
        return back(PREFIX + "/account", problem=exc.message)
    link = f"{public_url(request)}{PREFIX}/invite/{code}"
    return back(PREFIX + "/account", f"Invitation made. Send this one-time link (valid 7 days): {link}")


@router.get("/account/notifications")
def notifications_page(request: Request, member: Member = Depends(signed_in)):
    return render(request, "requester_site/notifications.html", member, {
        "title": "Notifications", "section": "account", "event_types": EVENT_TYPES,
        "rows": read(request, site.notification_settings, member.requester_id)})


@router.post("/account/notifications/{hit_type_id}")
def update_notifications(request: Request, hit_type_id: str, member: Member = Depends(signed_in),
                         form: FormData = Depends(sessions.csrf_form)):
    """UpdateNotificationSettings: a new specification, or only switching it on or off."""
    where = PREFIX + "/account/notifications"
    members: dict = {"HITTypeId": hit_type_id}
    if form_text(form, "action") in ("activate", "deactivate"):
        members["Active"] = form_text(form, "action") == "activate"
    else:
        members["Notification"] = {"Destination": form_text(form, "destination"),
                                   "Transport": form_text(form, "transport"), "Version": "2014-08-15",
                                   "EventTypes": [name for name in form.getlist("event_types")]}
        members["Active"] = True
    try:
        call(request, member, "UpdateNotificationSettings", members)
    except errors.ServiceError as exc:
        return back(where, problem=refusal(exc))
    return back(where, "Notification settings saved.")


# --- Developer -------------------------------------------------------------------------------------------


@router.get("/developer")
def developer_page(request: Request, member: Member = Depends(signed_in)):
    return render(request, "requester_site/developer.html", member, {
        "title": "Developer", "section": "developer", "keys": read(request, accounts.access_keys, member.requester_id),
        "endpoint": public_url(request)})


@router.post("/developer/keys")
def create_key(request: Request, member: Member = Depends(signed_in), form: FormData = Depends(sessions.csrf_form)):
    """A new key pair; the secret is on this response's page only (never stored in a cookie or shown again)."""
    state = request.app.state
    with state.db.transaction() as session:
        created = accounts.create_access_key(session, state.clock.now(), member.requester_id)
    return render(request, "requester_site/developer.html", member, {
        "title": "Developer", "section": "developer", "created": created, "endpoint": public_url(request),
        "keys": read(request, accounts.access_keys, member.requester_id)}, headers={"Cache-Control": "no-store"})


@router.post("/developer/keys/{access_key_id}/deactivate")
def deactivate_key(request: Request, access_key_id: str, member: Member = Depends(signed_in),
                   form: FormData = Depends(sessions.csrf_form)):
    state = request.app.state
    try:
        with state.db.transaction() as session:
            accounts.deactivate_access_key(session, state.clock.now(), member.requester_id, access_key_id)
    except errors.WorkerError as exc:
        return back(PREFIX + "/developer", problem=exc.message)
    return back(PREFIX + "/developer", f"Deactivated {access_key_id}: it can no longer sign requests.")
