"""Admin JSON routes (/_kempelen/...): the clock and requester accounts, guarded by the admin token."""

from __future__ import annotations

import hmac
from datetime import datetime

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel

from app.clock import ManualClock
from app.store import requesters

router = APIRouter(prefix="/_kempelen", tags=["admin"])


def require_admin(request: Request, authorization: str | None = Header(default=None)) -> None:
    expected = request.app.state.settings.effective_admin_token()
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="A valid admin token is required (Authorization: Bearer ...).")


class ClockState(BaseModel):
    mode: str
    now: datetime


class ClockChange(BaseModel):
    advance_seconds: float | None = None
    set: datetime | None = None


class RequesterCreate(BaseModel):
    name: str = ""


class RequesterCredentials(BaseModel):
    AccessKeyId: str
    SecretAccessKey: str


@router.get("/health")
def health() -> dict:
    return {"status": "ok"}


@router.get("/clock", response_model=ClockState, dependencies=[Depends(require_admin)])
def read_clock(request: Request) -> ClockState:
    clock = request.app.state.clock
    return ClockState(mode=clock.mode, now=clock.now())


@router.post("/clock", response_model=ClockState, dependencies=[Depends(require_admin)])
def change_clock(change: ClockChange, request: Request) -> ClockState:
    clock = request.app.state.clock
    if not isinstance(clock, ManualClock):
        raise HTTPException(status_code=409, detail="The server runs on the system clock; start it with "
                                                    "`kempelen serve --clock manual` to move time.")
    try:
        if change.set is not None:
            clock.set(change.set)
        if change.advance_seconds is not None:
            clock.advance(change.advance_seconds)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    # Transitions the new time has made due are written down before the caller goes on.
    request.app.state.sweeper.run_until_done()
    return ClockState(mode=clock.mode, now=clock.now())


@router.post("/requesters", response_model=RequesterCredentials, dependencies=[Depends(require_admin)])
def create_requester(body: RequesterCreate, request: Request) -> RequesterCredentials:
    state = request.app.state
    with state.db.transaction() as session:
        requester = requesters.create(session, state.clock.now(), name=body.name)
        return RequesterCredentials(AccessKeyId=requester.access_key_id,
                                    SecretAccessKey=requester.secret_access_key)
