"""Admin JSON routes (/_kempelen/...): the clock and requester accounts, guarded by the admin token."""

from __future__ import annotations

import hmac
from datetime import datetime

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from typing import Literal

from pydantic import BaseModel, Field

from kempelen.clock import ManualClock
from kempelen.domain.money import format_amount, parse_amount, to_cents
from kempelen.store import ledger, requesters

AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"

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
    mode: Literal["sandbox", "ledger"] = "sandbox"
    balance: str | None = Field(default=None, pattern=AMOUNT_PATTERN,
                                description="ledger mode: the funds the account starts with, e.g. 100.00")


class Funds(BaseModel):
    amount: str = Field(pattern=r"^-?[0-9]+(\.[0-9]{1,2})?$", description="e.g. 25.00; negative takes money out")
    memo: str = ""


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
    if body.balance is not None and body.mode != "ledger":
        raise HTTPException(status_code=400, detail="A starting balance needs mode 'ledger'.")
    with state.db.transaction() as session:
        now = state.clock.now()
        requester = requesters.create(session, now, name=body.name, mode=body.mode)
        if body.balance is not None:
            session.flush()
            ledger.add_funds(session, requester.access_key_id, to_cents(parse_amount(body.balance)),
                             "opening balance", now)
        return RequesterCredentials(AccessKeyId=requester.access_key_id,
                                    SecretAccessKey=requester.secret_access_key)


def _ledger_requester(session, access_key_id: str):
    requester = requesters.find_active(session, access_key_id)
    if requester is None:
        raise HTTPException(status_code=404, detail=f"No active requester {access_key_id}.")
    if requester.mode != "ledger":
        raise HTTPException(status_code=409, detail=f"Requester {access_key_id} is in sandbox mode: "
                                                    "its balance is always 10000.00 and nothing is charged.")
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
        # taking money out competes with spenders: take the account lock they take (operations.account)
        ledger.lock_account(session, access_key_id)
        ledger.add_funds(session, access_key_id, to_cents(parse_amount(body.amount)), body.memo, now)
        session.flush()
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
