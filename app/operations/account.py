"""GetAccountBalance, and the funds check every operation that adds to a ledger-mode requester's
liability makes (CreateHIT, more assignments, a reopened HIT, an overturned rejection, a bonus)."""

from __future__ import annotations

from kempelen import errors
from datetime import datetime

from sqlalchemy.orm import Session

from kempelen.domain.money import MAX_FUNDS_MOVEMENT, format_amount, parse_amount, to_cents
from kempelen.operations.context import OperationContext
from kempelen.operations.registry import operation
from kempelen.schemas import generated as shapes
from kempelen.store import ledger

SANDBOX_BALANCE = "10000.00"  # what MTurk's sandbox always reported; nothing is ever charged there


def is_ledger(ctx: OperationContext) -> bool:
    return ctx.requester.mode == "ledger"


def ensure_funds(ctx: OperationContext) -> None:
    """Call after making the change: refuses it (the transaction rolls back whole) if the requester can no
    longer cover what it has put on hold. The account lock makes concurrent spenders take turns."""
    if not is_ledger(ctx):
        return
    ledger.lock_account(ctx.session, ctx.requester.access_key_id)
    ctx.session.flush()
    if ledger.balance(ctx.session, ctx.requester.access_key_id, ctx.now).available_cents < 0:
        raise errors.insufficient_funds()


def move_funds(session: Session, requester_id: str, amount: str, memo: str, now: datetime) -> None:
    """Put money into a ledger-mode account (`amount` "25.00"), or take it out ("-25.00"): never more than is
    available (funds not on hold), so an account cannot go below zero."""
    negative = amount.startswith("-")
    cents = to_cents(parse_amount(amount.removeprefix("-")))
    if cents > to_cents(MAX_FUNDS_MOVEMENT):
        raise errors.admin_amount_out_of_range("amount", amount, f"{MAX_FUNDS_MOVEMENT:.2f}")
    # taking money out competes with spenders: take the account lock they take (ensure_funds)
    ledger.lock_account(session, requester_id)
    if negative:
        available = ledger.balance(session, requester_id, now).available_cents
        if cents > available:
            raise errors.withdrawal_exceeds_balance(requester_id, format_amount(available))
        cents = -cents
    ledger.add_funds(session, requester_id, cents, memo, now)
    session.flush()


@operation("GetAccountBalance", writes=False)
def get_account_balance(ctx: OperationContext, request: shapes.GetAccountBalanceRequest
                        ) -> shapes.GetAccountBalanceResponse:
    if not is_ledger(ctx):
        return shapes.GetAccountBalanceResponse(AvailableBalance=SANDBOX_BALANCE)
    balance = ledger.balance(ctx.session, ctx.requester.access_key_id, ctx.now)
    return shapes.GetAccountBalanceResponse(AvailableBalance=format_amount(balance.available_cents),
                                            OnHoldBalance=format_amount(balance.on_hold_cents))
