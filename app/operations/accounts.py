"""The admin's view of accounts: every requester, every worker, and a worker's lost token re-issued."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from kempelen import errors
from kempelen.store import requesters as requester_store
from kempelen.store import workers as worker_store

MAX_WORKERS_PAGE = 100


def list_requesters(session: Session) -> list[dict]:
    """Oldest first; secrets are never shown again."""
    return [{"AccessKeyId": r.access_key_id, "Name": r.name, "Mode": r.mode, "Active": r.active,
             "Development": r.is_development, "CreationTime": r.created_at}
            for r in requester_store.all_requesters(session)]


def list_workers(session: Session, *, after: str | None, limit: int | None) -> dict:
    """A page of workers in WorkerId order; NextToken is the last WorkerId of a full page."""
    limit = min(max(limit or MAX_WORKERS_PAGE, 1), MAX_WORKERS_PAGE)
    rows = worker_store.page(session, after=after, limit=limit)
    page = {"Workers": [{"WorkerId": w.worker_id, "CreationTime": w.created_at} for w in rows],
            "NumResults": len(rows)}
    if len(rows) == limit:
        page["NextToken"] = rows[-1].worker_id
    return page


def reissue_worker_token(session: Session, worker_id: str, now: datetime) -> dict:
    """A new API token for the worker (shown this once); the old token is refused from now on."""
    worker = worker_store.get(session, worker_id)
    if worker is None:
        raise errors.worker_does_not_exist(worker_id)
    token = secrets.token_urlsafe(32)
    worker_store.set_token(worker, token)
    return {"WorkerId": worker.worker_id, "Token": token, "IssuedAt": now}
