"""Qualification types and workers' scores: the queries every qualification door shares."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kempelen.domain.qualifications import PRESENT, Value
from kempelen.store.hits import live_hit
from kempelen.store.models import HIT, HITType, Qualification, QualificationRequest, QualificationType


def get_type(session: Session, qualification_type_id: str, *, for_update: bool = False) -> QualificationType | None:
    """A live (not deleted) custom type, whoever owns it."""
    query = select(QualificationType).where(QualificationType.qualification_type_id == qualification_type_id,
                                            QualificationType.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def types_by_id(session: Session, type_ids: Iterable[str]) -> dict[str, QualificationType]:
    type_ids = list(set(type_ids))
    if not type_ids:
        return {}
    rows = session.scalars(select(QualificationType).where(QualificationType.qualification_type_id.in_(type_ids),
                                                           QualificationType.deleted_at.is_(None)))
    return {row.qualification_type_id: row for row in rows}


def get_score(session: Session, qualification_type_id: str, worker_id: str, *,
              for_update: bool = False) -> Qualification | None:
    query = select(Qualification).where(Qualification.qualification_type_id == qualification_type_id,
                                        Qualification.worker_id == worker_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def grant(session: Session, qualification_type_id: str, worker_id: str, value: int | None,
          now: datetime) -> Qualification:
    """Grant, re-grant or overwrite a worker's qualification (GrantTime = now). The unique
    (type, worker) key settles two grants racing for a first row."""
    score = get_score(session, qualification_type_id, worker_id, for_update=True)
    if score is None:
        score = Qualification(qualification_type_id=qualification_type_id, worker_id=worker_id,
                              integer_value=value, status="Granted", grant_time=now)
        try:
            with session.begin_nested():
                session.add(score)
            return score
        except IntegrityError:
            score = get_score(session, qualification_type_id, worker_id, for_update=True)
    score.integer_value, score.status, score.grant_time = value, "Granted", now
    score.revoke_time = score.revoke_reason = None
    return score


def granted_values(session: Session, worker_id: str) -> dict[str, Value]:
    """The worker's granted custom qualifications as requirement values (revoked ones count as absent)."""
    rows = session.execute(select(Qualification.qualification_type_id, Qualification.integer_value)
                           .where(Qualification.worker_id == worker_id, Qualification.status == "Granted"))
    return {type_id: PRESENT if value is None else value for type_id, value in rows}


# --- The requester's side: types, their lists, and the HITs that name them --------------------------------


def add_type(session: Session, qualification_type: QualificationType) -> bool:
    """Insert a new type; False when the unique (requester, live name) key says the name is taken, which also
    settles two requests racing for the same name."""
    try:
        with session.begin_nested():
            session.add(qualification_type)
        return True
    except IntegrityError:
        return False


def page_of_types(session: Session, requester_id: str, *, owned_only: bool, text: str | None,
                  after: int | None, limit: int) -> list[QualificationType]:
    """Live custom types in creation order after key `after`: the caller's own, plus (unless `owned_only`)
    other requesters' Active ones. `text` is a case-insensitive substring of name, description or keywords."""
    query = select(QualificationType).where(QualificationType.deleted_at.is_(None))
    if owned_only:
        query = query.where(QualificationType.requester_id == requester_id)
    else:
        query = query.where(or_(QualificationType.requester_id == requester_id,
                                QualificationType.status == "Active"))
    if text:
        needle = text.lower()
        query = query.where(or_(*(func.lower(column).contains(needle, autoescape=True) for column in (
            QualificationType.name, QualificationType.description, QualificationType.keywords))))
    if after is not None:
        query = query.where(QualificationType.seq > after)
    return list(session.scalars(query.order_by(QualificationType.seq).limit(limit)))


def reject_open_requests(session: Session, qualification_type_id: str, reason: str, now: datetime) -> list[str]:
    """Reject every request still open on the type (its test being taken, or waiting for the requester);
    returns the workers whose requests these were."""
    open_requests = list(session.scalars(
        select(QualificationRequest)
        .where(QualificationRequest.qualification_type_id == qualification_type_id,
               QualificationRequest.status.in_(("Pending", "TestStarted")))
        .order_by(QualificationRequest.seq).with_for_update()))
    for request in open_requests:
        request.status, request.resolve_time, request.reason = "Rejected", now, reason
    return [request.worker_id for request in open_requests]


def page_of_scores(session: Session, qualification_type_id: str, statuses: Iterable[str], *,
                   after: int | None, limit: int) -> list[Qualification]:
    query = select(Qualification).where(Qualification.qualification_type_id == qualification_type_id,
                                        Qualification.status.in_(list(statuses)))
    if after is not None:
        query = query.where(Qualification.seq > after)
    return list(session.scalars(query.order_by(Qualification.seq).limit(limit)))


def page_of_hits_requiring(session: Session, requester_id: str, qualification_type_id: str, now: datetime, *,
                           after: int | None, limit: int) -> list[tuple[HIT, HITType]]:
    """The requester's live HITs whose HIT type has a QualificationRequirement on the type."""
    # Requirements are stored as compact JSON with sorted keys, so this is an exact match on the id.
    needle = json.dumps({"QualificationTypeId": qualification_type_id}, separators=(",", ":"))[1:-1]
    query = (select(HIT, HITType).join(HITType, HIT.hit_type_id == HITType.hit_type_id)
             .where(HIT.requester_id == requester_id, live_hit(now),
                    HITType.qualification_requirements.contains(needle, autoescape=True)))
    if after is not None:
        query = query.where(HIT.seq > after)
    return [(hit, hit_type) for hit, hit_type in session.execute(query.order_by(HIT.seq).limit(limit))]
