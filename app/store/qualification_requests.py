"""Qualification requests: a worker asking for a type, taking its test, and the owner's queue of
requests that wait for a decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kempelen import ids
from kempelen.store.models import Qualification, QualificationRequest, QualificationType, Worker

TEST_STARTED, PENDING, GRANTED, REJECTED = "TestStarted", "Pending", "Granted", "Rejected"


def create(session: Session, qualification_type_id: str, worker_id: str, status: str, now: datetime, *,
           test: str | None = None, test_deadline: datetime | None = None) -> QualificationRequest:
    request = QualificationRequest(
        qualification_request_id=ids.entity_id(), qualification_type_id=qualification_type_id,
        worker_id=worker_id, status=status, request_time=now, test=test, test_deadline=test_deadline,
        # a request with no test is "submitted" when it is made (MTurk's SubmitTime)
        submit_time=None if status == TEST_STARTED else now,
        resolve_time=now if status == GRANTED else None)
    session.add(request)
    session.flush()
    return request


def lock_worker(session: Session, worker_id: str) -> None:
    """Serialise one worker's requests, so two concurrent ones cannot both pass the retry rules.
    (SQLite's write transactions are exclusive already; PostgreSQL takes the row lock.)"""
    session.scalar(select(Worker.worker_id).where(Worker.worker_id == worker_id).with_for_update())


def latest(session: Session, qualification_type_id: str, worker_id: str) -> QualificationRequest | None:
    """The worker's most recent request for the type: the one the retry rules look at."""
    return session.scalar(select(QualificationRequest)
                          .where(QualificationRequest.worker_id == worker_id,
                                 QualificationRequest.qualification_type_id == qualification_type_id)
                          .order_by(QualificationRequest.seq.desc()).limit(1))


def latest_by_type(session: Session, worker_id: str, type_ids: list[str]) -> dict[str, QualificationRequest]:
    if not type_ids:
        return {}
    rows = session.scalars(select(QualificationRequest)
                           .where(QualificationRequest.worker_id == worker_id,
                                  QualificationRequest.qualification_type_id.in_(type_ids))
                           .order_by(QualificationRequest.seq))
    return {row.qualification_type_id: row for row in rows}  # later rows overwrite earlier ones


def get_with_type(session: Session, qualification_request_id: str, *, for_update: bool = False
                  ) -> tuple[QualificationRequest, QualificationType] | None:
    """A request and its (live) type, whoever owns them."""
    query = (select(QualificationRequest, QualificationType)
             .join(QualificationType, QualificationType.qualification_type_id
                   == QualificationRequest.qualification_type_id)
             .where(QualificationRequest.qualification_request_id == qualification_request_id,
                    QualificationType.deleted_at.is_(None)))
    if for_update:
        query = query.with_for_update(of=QualificationRequest)
    row = session.execute(query).first()
    return None if row is None else (row[0], row[1])


def pending_page(session: Session, requester_id: str, *, qualification_type_id: str | None,
                 after: int | None, limit: int) -> list[QualificationRequest]:
    """The requests waiting for this requester's decision, oldest first (keyset over seq)."""
    query = (select(QualificationRequest)
             .join(QualificationType, QualificationType.qualification_type_id
                   == QualificationRequest.qualification_type_id)
             .where(QualificationType.requester_id == requester_id, QualificationType.deleted_at.is_(None),
                    QualificationRequest.status == PENDING))
    if qualification_type_id is not None:
        query = query.where(QualificationRequest.qualification_type_id == qualification_type_id)
    if after is not None:
        query = query.where(QualificationRequest.seq > after)
    return list(session.scalars(query.order_by(QualificationRequest.seq).limit(limit)))


def requestable_types_page(session: Session, *, after: int | None, limit: int) -> list[QualificationType]:
    """Every requester's live, Active, requestable types, oldest first."""
    query = select(QualificationType).where(QualificationType.deleted_at.is_(None),
                                            QualificationType.status == "Active",
                                            QualificationType.is_requestable.is_(True))
    if after is not None:
        query = query.where(QualificationType.seq > after)
    return list(session.scalars(query.order_by(QualificationType.seq).limit(limit)))


def scores_by_type(session: Session, worker_id: str, type_ids: list[str]) -> dict[str, Qualification]:
    if not type_ids:
        return {}
    rows = session.scalars(select(Qualification).where(Qualification.worker_id == worker_id,
                                                       Qualification.qualification_type_id.in_(type_ids)))
    return {row.qualification_type_id: row for row in rows}


def scores_page(session: Session, worker_id: str, *, after: int | None, limit: int
                ) -> list[tuple[Qualification, QualificationType]]:
    """The worker's own qualifications (granted and revoked) with their types, oldest first."""
    query = (select(Qualification, QualificationType)
             .join(QualificationType, QualificationType.qualification_type_id
                   == Qualification.qualification_type_id)
             .where(Qualification.worker_id == worker_id))
    if after is not None:
        query = query.where(Qualification.seq > after)
    return [(q, t) for q, t in session.execute(query.order_by(Qualification.seq).limit(limit))]


def of_worker_open(session: Session, worker_id: str, limit: int = 100
                   ) -> list[tuple[QualificationRequest, QualificationType]]:
    """The worker's requests still waiting (TestStarted or Pending), newest first: the worker site's list."""
    rows = session.execute(select(QualificationRequest, QualificationType)
                           .join(QualificationType, QualificationType.qualification_type_id
                                 == QualificationRequest.qualification_type_id)
                           .where(QualificationRequest.worker_id == worker_id,
                                  QualificationRequest.status.in_((TEST_STARTED, PENDING)))
                           .order_by(QualificationRequest.seq.desc()).limit(limit))
    return [(request, qualification_type) for request, qualification_type in rows]
