"""Qualification types and workers' scores: the queries every qualification door shares."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.domain.qualifications import PRESENT, Value
from app.store.models import Qualification, QualificationType


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
