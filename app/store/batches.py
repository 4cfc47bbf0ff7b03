"""Batch queries: the next rows to publish, a batch's HITs a page at a time, its counts at a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.orm import Session

from kempelen.domain import assignments as states
from kempelen.store.hits import live_hit
from kempelen.store.models import HIT, Assignment, Batch, BatchRow, HITType


def get(session: Session, requester_id: str, batch_id: int, *, for_update: bool = False) -> Batch | None:
    query = select(Batch).where(Batch.batch_id == batch_id, Batch.requester_id == requester_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def add_rows(session: Session, batch_id: int, rows: list[tuple[int, str]]) -> None:
    """(line number, values JSON) per row, in one multi-row INSERT per thousand rows."""
    for start in range(0, len(rows), 1000):
        session.execute(insert(BatchRow), [{"batch_id": batch_id, "line_number": line, "values": values}
                                           for line, values in rows[start:start + 1000]])


def unpublished(session: Session, batch_id: int, limit: int) -> list[BatchRow]:
    query = (select(BatchRow).where(BatchRow.batch_id == batch_id, BatchRow.hit_id.is_(None))
             .order_by(BatchRow.seq).limit(limit))
    return list(session.scalars(query))


def rows_page(session: Session, batch_id: int, *, after: int | None, limit: int, published: bool = True
              ) -> list[BatchRow]:
    query = select(BatchRow).where(BatchRow.batch_id == batch_id)
    if published:
        query = query.where(BatchRow.hit_id.is_not(None))
    if after is not None:
        query = query.where(BatchRow.seq > after)
    return list(session.scalars(query.order_by(BatchRow.seq).limit(limit)))


def hits_page(session: Session, batch_id: int, now: datetime, *, after: int | None, limit: int
              ) -> list[tuple[BatchRow, HIT, HITType]]:
    """The batch's live HITs in row order after row key `after`."""
    query = (select(BatchRow, HIT, HITType).join(HIT, HIT.hit_id == BatchRow.hit_id)
             .join(HITType, HITType.hit_type_id == HIT.hit_type_id)
             .where(BatchRow.batch_id == batch_id, live_hit(now)))
    if after is not None:
        query = query.where(BatchRow.seq > after)
    return [(r, h, t) for r, h, t in session.execute(query.order_by(BatchRow.seq).limit(limit))]


@dataclass(frozen=True)
class BatchCounts:
    hits: int = 0
    assignments: int = 0  # MaxAssignments summed over its HITs
    pending: int = 0      # accepted, being worked on
    submitted: int = 0
    approved: int = 0
    rejected: int = 0
    expiration: datetime | None = None  # the latest of its HITs'

    @property
    def available(self) -> int:
        return max(self.assignments - self.pending - self.submitted - self.approved - self.rejected, 0)


def counts(session: Session, batch_id: int, now: datetime) -> BatchCounts:
    """Driven from the batch's rows (its index), then each HIT's assignments by HIT: no status condition the
    planner could take to a database-wide status index."""
    hits, assignments, expiration = session.execute(
        select(func.count(), func.coalesce(func.sum(HIT.max_assignments), 0), func.max(HIT.expiration))
        .select_from(BatchRow).join(HIT, HIT.hit_id == BatchRow.hit_id).where(BatchRow.batch_id == batch_id)).one()
    a = Assignment

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
    pending, submitted, approved, rejected = session.execute(
        select(count(and_(a.status == states.ACCEPTED, a.deadline > now)),
               count(and_(a.status == states.SUBMITTED, a.auto_approval_time > now)),
               count(or_(a.status == states.APPROVED, and_(a.status == states.SUBMITTED,
                                                            a.auto_approval_time <= now))),
               count(a.status == states.REJECTED))
        .select_from(BatchRow).join(a, a.hit_id == BatchRow.hit_id).where(BatchRow.batch_id == batch_id)).one()
    if expiration is not None and expiration.tzinfo is None:  # SQLite's aggregate skips the column type
        expiration = expiration.replace(tzinfo=timezone.utc)
    return BatchCounts(hits=int(hits), assignments=int(assignments), pending=int(pending),
                       submitted=int(submitted), approved=int(approved), rejected=int(rejected),
                       expiration=expiration)


def page(session: Session, requester_id: str, *, after: int | None, limit: int,
         hit_layout_id: str | None = None) -> list[Batch]:
    query = select(Batch).where(Batch.requester_id == requester_id)
    if hit_layout_id is not None:
        query = query.where(Batch.hit_layout_id == hit_layout_id)
    if after is not None:
        query = query.where(Batch.batch_id > after)
    return list(session.scalars(query.order_by(Batch.batch_id).limit(limit)))


def batch_of_hit(session: Session, hit_id: str) -> int | None:
    return session.scalar(select(BatchRow.batch_id).where(BatchRow.hit_id == hit_id))


def project_hits_page(session: Session, requester_id: str, hit_layout_id: str, now: datetime, *,
                      after: int | None, limit: int) -> list[tuple[HIT, HITType]]:
    """The live HITs made from a layout (batch or API), in creation order, by the (hit_layout_id, seq) index."""
    query = (select(HIT, HITType).join(HITType, HITType.hit_type_id == HIT.hit_type_id)
             .where(HIT.hit_layout_id == hit_layout_id, HIT.requester_id == requester_id, live_hit(now)))
    if after is not None:
        query = query.where(HIT.seq > after)
    return [(h, t) for h, t in session.execute(query.order_by(HIT.seq).limit(limit))]
