"""Queries behind the requester website's lists: the Manage page's HITs (filtered, keyset pages over the
(requester_id, seq) index), the workers who worked for a requester, and its bonuses paid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from kempelen.domain import assignments as states
from kempelen.store.assignments import _is
from kempelen.store.hits import live_hit, reviewable
from kempelen.store.models import (HIT, Assignment, Batch, BatchRow, BonusPayment, HITType, Qualification,
                                   QualificationType, WorkerBlock)

HIT_STATUSES = ("Assignable", "Unassignable", "Reviewable", "Reviewing")


def _pending(now: datetime):
    return (select(func.count()).select_from(Assignment)
            .where(Assignment.hit_id == HIT.hit_id, Assignment.status == states.ACCEPTED, Assignment.deadline > now)
            .scalar_subquery())


def _status_is(status: str, now: datetime):
    """domain.hits.hit_status() == status, for a live HIT, as SQL."""
    if status == "Reviewing":
        return HIT.reviewing.is_(True)
    if status == "Reviewable":
        return reviewable(now)
    open_ = and_(HIT.expiration > now, HIT.max_assignments > HIT.assignments_done + _pending(now))
    if status == "Assignable":
        return and_(HIT.reviewing.is_(False), open_)
    return and_(HIT.reviewing.is_(False), not_(open_), _pending(now) > 0)  # Unassignable


def page_of_hits(session: Session, requester_id: str, now: datetime, *, before: int | None, limit: int,
                 hit_type_id: str | None = None, status: str | None = None, annotation: str | None = None,
                 hit_layout_id: str | None = None, hit_ids_of: object | None = None) -> list[tuple[HIT, HITType]]:
    """Live HITs, newest first, older than key `before`. `annotation` matches the RequesterAnnotation's start;
    `hit_ids_of` is a subquery of HIT ids (a batch's)."""
    query = (select(HIT, HITType).join(HITType, HIT.hit_type_id == HITType.hit_type_id)
             .where(HIT.requester_id == requester_id, live_hit(now)))
    if before is not None:
        query = query.where(HIT.seq < before)
    if hit_type_id:
        query = query.where(HIT.hit_type_id == hit_type_id)
    if status:
        query = query.where(_status_is(status, now))
    if hit_layout_id:
        query = query.where(HIT.hit_layout_id == hit_layout_id)
    if annotation:
        escaped = annotation.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(HIT.requester_annotation.like(escaped + "%", escape="\\"))
    if hit_ids_of is not None:
        query = query.where(HIT.hit_id.in_(hit_ids_of))
    return [(hit, hit_type) for hit, hit_type in session.execute(query.order_by(HIT.seq.desc()).limit(limit))]


def hit_types(session: Session, requester_id: str) -> list[HITType]:
    return list(session.scalars(select(HITType).where(HITType.requester_id == requester_id)
                                .order_by(HITType.created_at.desc())))


def submitted_assignment_ids(session: Session, requester_id: str, now: datetime, hit_ids_of: object | None = None
                             ) -> list[str]:
    """Every assignment of the requester waiting for review (Submitted, not yet auto-approved)."""
    query = (select(Assignment.assignment_id).join(HIT, Assignment.hit_id == HIT.hit_id)
             .where(HIT.requester_id == requester_id, _is(states.SUBMITTED, now)))
    if hit_ids_of is not None:
        query = query.where(Assignment.hit_id.in_(hit_ids_of))
    return list(session.scalars(query.order_by(Assignment.seq)))


def workers(session: Session, requester_id: str, now: datetime, *, after: str | None, limit: int,
            worker_id: str | None = None) -> list[dict]:
    """Workers who took this requester's HITs, by WorkerId, with their counts on its work."""
    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (select(Assignment.worker_id, func.count(),
                    total(or_(_is(states.SUBMITTED, now), _is(states.APPROVED, now), _is(states.REJECTED, now))),
                    total(_is(states.APPROVED, now)), total(_is(states.REJECTED, now)),
                    total(_is(states.RETURNED, now)), total(_is(states.ABANDONED, now)),
                    func.max(Assignment.submit_time))
             .join(HIT, Assignment.hit_id == HIT.hit_id).where(HIT.requester_id == requester_id)
             .group_by(Assignment.worker_id).order_by(Assignment.worker_id).limit(limit))
    if after is not None:
        query = query.where(Assignment.worker_id > after)
    if worker_id is not None:
        query = query.where(Assignment.worker_id == worker_id)
    rows = session.execute(query).all()
    blocked = set(session.scalars(select(WorkerBlock.worker_id).where(
        WorkerBlock.requester_id == requester_id, WorkerBlock.worker_id.in_([row[0] for row in rows]))))
    bonus = dict(session.execute(
        select(BonusPayment.worker_id, func.sum(BonusPayment.amount_cents))
        .where(BonusPayment.requester_id == requester_id, BonusPayment.worker_id.in_([row[0] for row in rows]))
        .group_by(BonusPayment.worker_id)).all())
    return [{"WorkerId": w, "Accepted": int(n), "Submitted": int(s), "Approved": int(a), "Rejected": int(r),
             "Returned": int(ret), "Abandoned": int(ab), "LastSubmitTime": last, "Blocked": w in blocked,
             "BonusCents": int(bonus.get(w) or 0)}
            for w, n, s, a, r, ret, ab, last in rows]


def owned_qualification_types(session: Session, requester_id: str) -> list[tuple[str, str]]:
    """(QualificationTypeId, Name) of the requester's own Qualification types, by name."""
    return [tuple(row) for row in session.execute(
        select(QualificationType.qualification_type_id, QualificationType.name)
        .where(QualificationType.requester_id == requester_id, QualificationType.deleted_at.is_(None))
        .order_by(QualificationType.name, QualificationType.seq))]


def granted_scores(session: Session, requester_id: str) -> dict[tuple[str, str], int | None]:
    """(WorkerId, QualificationTypeId) -> score of every granted qualification of the requester's types."""
    return {(worker_id, type_id): value for worker_id, type_id, value in session.execute(
        select(Qualification.worker_id, Qualification.qualification_type_id, Qualification.integer_value)
        .join(QualificationType, QualificationType.qualification_type_id == Qualification.qualification_type_id)
        .where(QualificationType.requester_id == requester_id, Qualification.status == "Granted"))}


def bonuses(session: Session, requester_id: str, *, before: int | None, limit: int,
            worker_id: str | None = None) -> list[BonusPayment]:
    query = select(BonusPayment).where(BonusPayment.requester_id == requester_id)
    if before is not None:
        query = query.where(BonusPayment.seq < before)
    if worker_id is not None:
        query = query.where(BonusPayment.worker_id == worker_id)
    return list(session.scalars(query.order_by(BonusPayment.seq.desc()).limit(limit)))


def assignments_of_worker(session: Session, requester_id: str, worker_id: str, *, limit: int
                          ) -> list[tuple[Assignment, HITType]]:
    """A worker's latest assignments on this requester's HITs (with the HIT's type, for titles)."""
    return [(a, t) for a, t in session.execute(
        select(Assignment, HITType).join(HIT, Assignment.hit_id == HIT.hit_id)
        .join(HITType, HIT.hit_type_id == HITType.hit_type_id)
        .where(HIT.requester_id == requester_id, Assignment.worker_id == worker_id)
        .order_by(Assignment.seq.desc()).limit(limit))]


def batch_hit_ids(requester_id: str, batch_id: int):
    """A subquery of the HIT ids of one of the requester's batches (none if the batch is not its own)."""
    return (select(BatchRow.hit_id).join(Batch, Batch.batch_id == BatchRow.batch_id)
            .where(Batch.requester_id == requester_id, Batch.batch_id == batch_id, BatchRow.hit_id.is_not(None))
            .scalar_subquery())
