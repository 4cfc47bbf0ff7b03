"""Admin JSON routes for the people of requester accounts (/_kempelen/requesters/{id}/logins, /invites): what
`kempelen requester create --login` and `kempelen requester invite` call on a running server. Refusals are
{"Error": {"Code", "Message"}} (kempelen.errors)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from kempelen.operations import requester_accounts as accounts
from kempelen.web.admin import require_admin
from kempelen.web.workers import public_url

router = APIRouter(prefix="/_kempelen/requesters", tags=["admin"], dependencies=[Depends(require_admin)])


class LoginCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Email: str
    Password: str


class InviteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Email: str


class Login(BaseModel):
    RequesterId: str
    Email: str
    CreationTime: datetime


class Invite(BaseModel):
    RequesterId: str
    Email: str
    InviteURL: str
    ExpiresAt: datetime


@router.post("/{access_key_id}/logins", response_model=Login)
def add_login(access_key_id: str, body: LoginCreate, request: Request) -> Login:
    """A person who signs in to the requester website for this account (email + password)."""
    state = request.app.state
    with state.db.transaction() as session:
        member = accounts.add_member(session, state.clock.now(), access_key_id, body.Email, body.Password)
        return Login(RequesterId=member.requester_id, Email=member.email, CreationTime=member.created_at)


@router.get("/{access_key_id}/logins", response_model=list[Login])
def list_logins(access_key_id: str, request: Request) -> list[Login]:
    with request.app.state.db.transaction(writes=False) as session:
        accounts.account(session, access_key_id)
        return [Login(RequesterId=m.requester_id, Email=m.email, CreationTime=m.created_at)
                for m in accounts.members(session, access_key_id)]


@router.post("/{access_key_id}/invites", response_model=Invite)
def invite(access_key_id: str, body: InviteCreate, request: Request) -> Invite:
    """A one-time link (7 days) with which `Email` chooses a password and joins the account."""
    state = request.app.state
    now = state.clock.now()
    with state.db.transaction() as session:
        code = accounts.invite(session, now, access_key_id, body.Email)
    return Invite(RequesterId=access_key_id, Email=accounts.normalize_email(body.Email),
                  InviteURL=f"{public_url(request)}/requester/invite/{code}", ExpiresAt=now + accounts.INVITE_LIFETIME)
