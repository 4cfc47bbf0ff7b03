"""A ledger-mode requester's money, derived from facts at a moment (spec §8).

balance   = funds put in - charges; charges = every approved assignment's reward + fee (auto-approvals
            included from their AutoApprovalTime) + every bonus and its fee.
on hold   = for each live HIT, one assignment's cost x (pending + submitted-and-unreviewed + the free slots
            of a HIT still open to workers). Rejection, return, abandonment and expiry release by
            leaving these counts; approval turns a hold into a charge.
available = balance - on hold.
Deriving rather than booking means no time-driven ledger writes and reads that are right at every moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from kempelen.domain import assignments as states
from kempelen.store.hits import live_hit
from kempelen.store.models import HIT, Assignment, BonusPayment, LedgerEntry, Requester


@dataclass(frozen=True)
class Balance:
    funds_cents: int
    charged_cents: int
    on_hold_cents: int

    @property
    def available_cents(self) -> int:
        return self.funds_cents - self.charged_cents - self.on_hold_cents


def _count(condition):
    return (select(func.count()).select_from(Assignment).where(Assignment.hit_id == HIT.hit_id, condition)
            .scalar_subquery())


def _approved(now: datetime):
    return or_(Assignment.status == states.APPROVED,
               and_(Assignment.status == states.SUBMITTED, Assignment.auto_approval_time <= now))


def balance(session: Session, requester_id: str, now: datetime) -> Balance:
    funds = session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                           .where(LedgerEntry.requester_id == requester_id))
    approved = session.scalar(
        select(func.coalesce(func.sum(HIT.assignment_cost_cents), 0)).select_from(Assignment)
        .join(HIT, Assignment.hit_id == HIT.hit_id).where(HIT.requester_id == requester_id, _approved(now)))
    bonuses = session.scalar(select(func.coalesce(func.sum(BonusPayment.amount_cents + BonusPayment.fee_cents), 0))
                             .where(BonusPayment.requester_id == requester_id))
    pending = _count(and_(Assignment.status == states.ACCEPTED, Assignment.deadline > now))
    unreviewed = _count(and_(Assignment.status == states.SUBMITTED, Assignment.auto_approval_time > now))
    free = HIT.max_assignments - HIT.assignments_done - pending
    open_slots = case((and_(HIT.reviewing.is_(False), HIT.expiration > now, free > 0), free), else_=0)
    held_slots = pending + unreviewed + open_slots
    on_hold = session.scalar(select(func.coalesce(func.sum(HIT.assignment_cost_cents * held_slots), 0))
                             .where(HIT.requester_id == requester_id, live_hit(now)))
    return Balance(int(funds), int(approved) + int(bonuses), int(on_hold))


def lock_account(session: Session, requester_id: str) -> None:
    """Serialises a requester's money-moving operations, so two of them cannot both spend the same funds
    (PostgreSQL row lock; SQLite's write transactions are exclusive already). NO KEY UPDATE, because the
    rows an operation has just inserted hold KEY SHARE locks on the requester through their foreign keys:
    FOR UPDATE would deadlock two such operations against each other."""
    session.execute(select(Requester.access_key_id).where(Requester.access_key_id == requester_id)
                    .with_for_update(key_share=True))  # renders FOR NO KEY UPDATE


def add_funds(session: Session, requester_id: str, cents: int, memo: str, now: datetime) -> LedgerEntry:
    entry = LedgerEntry(requester_id=requester_id, amount_cents=cents, memo=memo, created_at=now)
    session.add(entry)
    return entry


def statement(session: Session, requester_id: str, now: datetime) -> list[dict]:
    """Every movement of money in time order: funds, approvals (reward + fee), bonuses (amount + fee)."""
    lines = [{"Time": e.created_at, "Kind": "Funds", "Amount": e.amount_cents, "Memo": e.memo}
             for e in session.scalars(select(LedgerEntry).where(LedgerEntry.requester_id == requester_id))]
    approval_time = func.coalesce(Assignment.approval_time, Assignment.auto_approval_time)
    for assignment_id, hit_id, cost, when in session.execute(
            select(Assignment.assignment_id, HIT.hit_id, HIT.assignment_cost_cents, approval_time)
            .join(HIT, Assignment.hit_id == HIT.hit_id).where(HIT.requester_id == requester_id, _approved(now))):
        lines.append({"Time": when, "Kind": "Approval", "Amount": -cost,
                      "Memo": f"Assignment {assignment_id} of HIT {hit_id} (reward + fee)"})
    for bonus in session.scalars(select(BonusPayment).where(BonusPayment.requester_id == requester_id)):
        lines.append({"Time": bonus.grant_time, "Kind": "Bonus", "Amount": -(bonus.amount_cents + bonus.fee_cents),
                      "Memo": f"Bonus to {bonus.worker_id} for assignment {bonus.assignment_id} (amount + fee)"})
    return sorted(lines, key=lambda line: line["Time"])


def worker_earnings_cents(session: Session, worker_id: str, now: datetime) -> tuple[int, int]:
    """(rewards, bonuses) a worker has earned: approved assignments' rewards and every bonus."""
    from kempelen.store.models import HITType

    rewards = session.scalar(
        select(func.coalesce(func.sum(HITType.reward_cents), 0)).select_from(Assignment)
        .join(HIT, Assignment.hit_id == HIT.hit_id).join(HITType, HIT.hit_type_id == HITType.hit_type_id)
        .where(Assignment.worker_id == worker_id, _approved(now)))
    bonuses = session.scalar(select(func.coalesce(func.sum(BonusPayment.amount_cents), 0))
                             .where(BonusPayment.worker_id == worker_id))
    return int(rewards), int(bonuses)
