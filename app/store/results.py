"""Queries behind the results CSV: a page of HITs' reviewable assignments, and workers' approval counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from kempelen.domain import assignments as states
from kempelen.store.assignments import _is as status_is
from kempelen.store.models import HIT, Assignment, HITType

RATE_WINDOWS = (None, timedelta(days=30), timedelta(days=7))  # lifetime, last 30 days, last 7 days


def assignments_of(session: Session, hit_ids: Sequence[str], now: datetime) -> list[Assignment]:
    """The Submitted, Approved and Rejected assignments of these HITs, by HIT then acceptance order."""
    if not hit_ids:
        return []
    listed = or_(*(status_is(s, now) for s in states.LISTED))
    query = select(Assignment).where(Assignment.hit_id.in_(list(hit_ids)), listed).order_by(Assignment.seq)
    return list(session.scalars(query))


def answers_of(session: Session, hit_ids: Sequence[str], now: datetime) -> list[tuple[str, str | None]]:
    """Only the Answer documents of those assignments (the first pass of an export reads just their names)."""
    if not hit_ids:
        return []
    listed = or_(*(status_is(s, now) for s in states.LISTED))
    query = select(Assignment.hit_id, Assignment.answer).where(Assignment.hit_id.in_(list(hit_ids)), listed)
    return [(hit_id, answer) for hit_id, answer in session.execute(query)]


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
