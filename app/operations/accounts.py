"""The admin's view of accounts: every requester, every worker, and a worker's lost token re-issued."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from kempelen import errors
from kempelen.store import pagination
from kempelen.store import requesters as requester_store
from kempelen.store import workers as worker_store

MAX_WORKERS_PAGE = 100
WORKERS_SCOPE = "workers"


def list_requesters(session: Session) -> list[dict]:
    """Oldest first; secrets are never shown again."""
    return [{"AccessKeyId": r.access_key_id, "Name": r.name, "Mode": r.mode, "Active": r.active,
             "Development": r.is_development, "CreationTime": r.created_at}
            for r in requester_store.all_requesters(session)]


def list_workers(session: Session, *, next_token: str | None, max_results: int | None) -> dict:
    """A page of workers in WorkerId order, with an opaque NextToken after a full page."""
    if max_results is not None and not 1 <= max_results <= MAX_WORKERS_PAGE:
        raise errors.invalid_value(f"MaxResults must be between 1 and {MAX_WORKERS_PAGE}.")
    try:
        after = pagination.decode(WORKERS_SCOPE, next_token, kind=str)
    except pagination.InvalidToken:
        raise errors.worker_invalid_next_token() from None
    limit = max_results or MAX_WORKERS_PAGE
    rows = worker_store.page(session, after=after, limit=limit)
    page = {"Workers": [{"WorkerId": w.worker_id, "CreationTime": w.created_at} for w in rows],
            "NumResults": len(rows)}
    if len(rows) == limit:
        page["NextToken"] = pagination.encode(WORKERS_SCOPE, rows[-1].worker_id)
    return page


def reissue_worker_token(session: Session, worker_id: str, now: datetime) -> dict:
    """A new API token for the worker (shown this once); the old token is refused from now on."""
    worker = worker_store.get(session, worker_id)
    if worker is None:
        raise errors.worker_does_not_exist(worker_id)
    token = secrets.token_urlsafe(32)
    worker_store.set_token(worker, token)
    return {"WorkerId": worker.worker_id, "Token": token, "IssuedAt": now}
