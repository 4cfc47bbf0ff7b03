"""Worker accounts and their API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kempelen.store.models import Worker


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, worker_id: str, token: str, now: datetime) -> Worker | None:
    """The new worker, or None when the id is taken (decided by the primary key, not a prior read)."""
    worker = Worker(worker_id=worker_id, token_sha256=token_digest(token), created_at=now)
    try:
        with session.begin_nested():
            session.add(worker)
    except IntegrityError:
        return None
    return worker


def get(session: Session, worker_id: str) -> Worker | None:
    return session.get(Worker, worker_id)


def by_token(session: Session, token: str) -> Worker | None:
    return session.scalar(select(Worker).where(Worker.token_sha256 == token_digest(token)))


def page(session: Session, *, after: str | None, limit: int) -> list[Worker]:
    query = select(Worker).order_by(Worker.worker_id).limit(limit)
    if after is not None:
        query = query.where(Worker.worker_id > after)
    return list(session.scalars(query))


def set_token(worker: Worker, token: str) -> None:
    """The worker's new API token; the old one stops working with this transaction."""
    worker.token_sha256 = token_digest(token)
