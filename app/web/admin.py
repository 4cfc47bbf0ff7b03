"""Admin JSON routes (/_kempelen/...): the clock and requester accounts, guarded by the admin token."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from kempelen import errors
from kempelen.auth.workers import bearer, is_admin
from kempelen.clock import ManualClock
from kempelen.domain.money import format_amount
from kempelen.operations.account import move_funds
from kempelen.operations import requester_accounts
from kempelen.store import ledger, requesters
from kempelen.web.envelope import Body

AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"

router = APIRouter(prefix="/_kempelen", tags=["admin"])


def require_admin(request: Request, authorization: str | None = Header(default=None)) -> None:
    # only as "Authorization: Bearer <token>", as the worker API takes it
    if not is_admin(bearer(authorization), request.app.state.settings.effective_admin_token()):
        raise errors.admin_token_required()


class ClockState(BaseModel):
    mode: str
    now: datetime


class ClockChange(Body):
    advance_seconds: float | None = None
    set: datetime | None = None


class RequesterCreate(Body):
    name: str = Field(default="", max_length=200)  # the column's width
    mode: Literal["sandbox", "ledger"] = "sandbox"
    balance: str | None = Field(default=None, pattern=AMOUNT_PATTERN,
                                description="ledger mode: the funds the account starts with, e.g. 100.00")
    login: str | None = Field(default=None, max_length=254,
                              description="an email address that signs in to the requester website (with password)")
    password: str | None = Field(default=None, max_length=1024)


class Funds(Body):
    amount: str = Field(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$", description="e.g. 25.00; negative takes money out")
    memo: str = Field(default="", max_length=1024)


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
        raise errors.clock_not_manual()
    try:
        if change.set is not None:
            clock.set(change.set)
        if change.advance_seconds is not None:
            clock.advance(change.advance_seconds)
    except ValueError as exc:
        raise errors.invalid_value(str(exc)) from None
    # Transitions the new time has made due are written down before the caller goes on.
    request.app.state.sweeper.run_until_done()
    return ClockState(mode=clock.mode, now=clock.now())


@router.post("/requesters", response_model=RequesterCredentials, dependencies=[Depends(require_admin)])
def create_requester(body: RequesterCreate, request: Request) -> RequesterCredentials:
    state = request.app.state
    if body.balance is not None and body.mode != "ledger":
        raise errors.starting_balance_needs_ledger()
    with state.db.transaction() as session:
        now = state.clock.now()
        requester = requesters.create(session, now, name=body.name, mode=body.mode)
        if body.balance is not None:
            session.flush()
            move_funds(session, requester.access_key_id, body.balance, "opening balance", now)
        if body.login is not None or body.password is not None:
            session.flush()
            requester_accounts.add_member(session, now, requester.access_key_id, body.login or "",
                                          body.password or "")
        return RequesterCredentials(AccessKeyId=requester.access_key_id,
                                    SecretAccessKey=requester.secret_access_key)


def _ledger_requester(session, access_key_id: str):
    requester = requesters.find_active(session, access_key_id)
    if requester is None:
        raise errors.requester_does_not_exist(access_key_id)
    if requester.mode != "ledger":
        raise errors.requester_in_sandbox_mode(access_key_id)
    return requester


def _balance_view(session, access_key_id: str, now) -> dict:
    balance = ledger.balance(session, access_key_id, now)
    return {"AvailableBalance": format_amount(balance.available_cents),
            "OnHoldBalance": format_amount(balance.on_hold_cents),
            "Funds": format_amount(balance.funds_cents), "Charged": format_amount(balance.charged_cents)}


@router.post("/requesters/{access_key_id}/funds", dependencies=[Depends(require_admin)])
def add_funds(access_key_id: str, body: Funds, request: Request) -> dict:
    """Put money into (or, negative, take it out of) a ledger-mode requester's account; returns the balance."""
    state = request.app.state
    with state.db.transaction() as session:
        _ledger_requester(session, access_key_id)
        now = state.clock.now()
        move_funds(session, access_key_id, body.amount, body.memo, now)
        return _balance_view(session, access_key_id, now)


@router.get("/requesters/{access_key_id}/statement", dependencies=[Depends(require_admin)])
def statement(access_key_id: str, request: Request) -> dict:
    """Every movement of money (funds, approvals with fees, bonuses with fees) and the balance now."""
    state = request.app.state
    with state.db.transaction(writes=False) as session:
        _ledger_requester(session, access_key_id)
        now = state.clock.now()
        lines, running = [], 0
        for line in ledger.statement(session, access_key_id, now):
            running += line["Amount"]
            lines.append({**line, "Amount": format_amount(line["Amount"]), "Balance": format_amount(running)})
        return {"Lines": lines, **_balance_view(session, access_key_id, now)}


# --- notification delivery (kempelen.events.delivery) ---------------------------------------------------------


@router.post("/notifications/flush", dependencies=[Depends(require_admin)])
def flush_notifications(request: Request) -> dict:
    """Attempt every pending delivery now, whatever its retry schedule; answers when the pass is over."""
    result = request.app.state.deliverer.run_once(ignore_schedule=True)
    return {"Delivered": result.delivered, "Failed": result.failed}


@router.get("/notifications/deliveries", dependencies=[Depends(require_admin)])
def list_deliveries(hit_type_id: str, request: Request) -> dict:
    """A HIT type's queued and sent notifications, oldest first, with their attempts and last error."""
    from kempelen.events import delivery

    with request.app.state.db.transaction(writes=False) as session:
        rows = delivery.deliveries(session, hit_type_id)
        return {"Deliveries": [{
            "EventType": row.event_type, "Transport": row.transport, "Destination": row.destination,
            "Status": row.status, "Attempts": row.attempts, "LastError": row.last_error,
            "NextAttemptAt": delivery.when(row.next_attempt_at), "DeliveredAt": delivery.when(row.delivered_at),
            "Document": row.document} for row in rows]}
