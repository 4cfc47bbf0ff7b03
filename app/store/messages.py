"""The worker inbox: messages from requesters (qualification notices now, NotifyWorkers later)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kempelen.store.models import WorkerMessage


def deliver(session: Session, worker_id: str, requester_id: str | None, subject: str, body: str,
            now: datetime) -> WorkerMessage:
    message = WorkerMessage(worker_id=worker_id, requester_id=requester_id, subject=subject, body=body,
                            created_at=now)
    session.add(message)
    return message


def page(session: Session, worker_id: str, *, after: int | None, limit: int) -> list[WorkerMessage]:
    query = select(WorkerMessage).where(WorkerMessage.worker_id == worker_id)
    if after is not None:
        query = query.where(WorkerMessage.seq > after)
    return list(session.scalars(query.order_by(WorkerMessage.seq).limit(limit)))
