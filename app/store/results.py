"""Queries behind the results CSV: a page of HITs' reviewable assignments, and workers' approval counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from kempelen.domain import assignments as states
from kempelen.store.models import HIT, Assignment, HITType

RATE_WINDOWS = (None, timedelta(days=30), timedelta(days=7))  # lifetime, last 30 days, last 7 days


_EXPORTED = [column for column in Assignment.__table__.c if column.key not in ("seq", "return_time")]
# Submitted, Approved and Rejected rows are the listed ones at any moment (a Submitted row past its
# AutoApprovalTime is Approved, still listed). The rows are picked by HIT alone and the status checked here:
# given a status condition, SQLite's planner preferred the sweeper's (status, ...) indexes and scanned every
# Submitted row of the database for each page.
_LISTED = frozenset(states.LISTED)


def assignments_of(session: Session, hit_ids: Sequence[str], now: datetime) -> list:
    """The Submitted, Approved and Rejected assignments of these HITs in acceptance order, as plain rows
    (attribute access by column name, as on the model; no ORM objects for an export's thousands)."""
    if not hit_ids:
        return []
    query = select(*_EXPORTED).where(Assignment.hit_id.in_(list(hit_ids))).order_by(Assignment.seq)
    return [row for row in session.execute(query) if row.status in _LISTED]


def answers_of(session: Session, hit_ids: Sequence[str], now: datetime) -> list[tuple[str, str | None]]:
    """Only the Answer documents of those assignments (the first pass of an export reads just their names)."""
    if not hit_ids:
        return []
    query = select(Assignment.hit_id, Assignment.answer, Assignment.status).where(
        Assignment.hit_id.in_(list(hit_ids)))
    return [(hit_id, answer) for hit_id, answer, status in session.execute(query) if status in _LISTED]


def hits_by_id(session: Session, requester_id: str, hit_ids: Sequence[str]) -> dict[str, tuple[HIT, HITType]]:
    query = (select(HIT, HITType).join(HITType, HIT.hit_type_id == HITType.hit_type_id)
             .where(HIT.requester_id == requester_id, HIT.hit_id.in_(list(hit_ids))))
    return {hit.hit_id: (hit, hit_type) for hit, hit_type in session.execute(query)}


def approval_counts(session: Session, requester_id: str, worker_ids: Sequence[str], now: datetime
                    ) -> dict[str, list[tuple[int, int]]]:
    """Per worker, on this requester's HITs: (approved, approved + rejected) for each of RATE_WINDOWS, an
    auto-approval counting from its AutoApprovalTime."""
    if not worker_ids:
        return {}
    a = Assignment
    approved_at = case((a.status == states.APPROVED, a.approval_time),
                       (and_(a.status == states.SUBMITTED, a.auto_approval_time <= now), a.auto_approval_time))
    columns = []
    for window in RATE_WINDOWS:
        since = None if window is None else now - window
        approved = approved_at.is_not(None) if since is None else approved_at >= since
        rejected = a.status == states.REJECTED
        if since is not None:
            rejected = and_(rejected, a.rejection_time >= since)
        columns += [func.sum(case((approved, 1), else_=0)), func.sum(case((rejected, 1), else_=0))]
    query = (select(a.worker_id, *columns).join(HIT, HIT.hit_id == a.hit_id)
             .where(HIT.requester_id == requester_id, a.worker_id.in_(list(worker_ids)))
             .group_by(a.worker_id))
    found = {}
    for worker_id, *sums in session.execute(query):
        sums = [int(s or 0) for s in sums]
        found[worker_id] = [(sums[i], sums[i] + sums[i + 1]) for i in range(0, len(sums), 2)]
    return {w: found.get(w, [(0, 0)] * len(RATE_WINDOWS)) for w in worker_ids}
