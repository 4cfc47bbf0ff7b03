"""Worker blocks: a requester's list of workers who may not find or accept its HITs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kempelen.store.models import WorkerBlock
from kempelen.store.prepared import PreparedRead, rows


def block(session: Session, requester_id: str, worker_id: str, reason: str, now: datetime) -> None:
    """Blocks, or re-blocks with the new reason; the primary key settles a concurrent first block."""
    existing = session.get(WorkerBlock, (requester_id, worker_id), with_for_update=True)
    if existing is None:
        try:
            with session.begin_nested():
                session.add(WorkerBlock(requester_id=requester_id, worker_id=worker_id, reason=reason,
                                        created_at=now))
            return
        except IntegrityError:
            existing = session.get(WorkerBlock, (requester_id, worker_id), with_for_update=True)
    existing.reason = reason


def unblock(session: Session, requester_id: str, worker_id: str) -> None:
    session.execute(delete(WorkerBlock).where(WorkerBlock.requester_id == requester_id,
                                              WorkerBlock.worker_id == worker_id))


def page(session: Session, requester_id: str, *, after: str | None, limit: int) -> list[WorkerBlock]:
    query = select(WorkerBlock).where(WorkerBlock.requester_id == requester_id)
    if after is not None:
        query = query.where(WorkerBlock.worker_id > after)
    return list(session.scalars(query.order_by(WorkerBlock.worker_id).limit(limit)))


def count(session: Session, requester_id: str) -> int:
    return session.scalar(select(func.count()).select_from(WorkerBlock).where(WorkerBlock.requester_id == requester_id))


_BLOCKED = PreparedRead(select(WorkerBlock.worker_id).where(
    WorkerBlock.requester_id == bindparam("requester_id"), WorkerBlock.worker_id == bindparam("worker_id")),
    "Blocked")


def is_blocked(session: Session, requester_id: str, worker_id: str) -> bool:
    return bool(rows(session, _BLOCKED, {"requester_id": requester_id, "worker_id": worker_id}))


def blocking_requesters(worker_id: str):
    """SQL: the requesters who have blocked this worker (for excluding their HITs from listings)."""
    return select(WorkerBlock.requester_id).where(WorkerBlock.worker_id == worker_id)
