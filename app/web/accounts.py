"""Admin routes over accounts: list requesters and workers, re-issue a worker's lost API token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request

from kempelen.operations import accounts as ops
from kempelen.web.admin import require_admin
from kempelen.web.workers import _require_admin as require_worker_admin

router = APIRouter(tags=["admin"])


@router.get("/_kempelen/requesters", dependencies=[Depends(require_admin)])
def list_requesters(request: Request) -> dict:
    """Every requester, oldest first (AccessKeyId, Name, Mode, Active, CreationTime); no secrets."""
    with request.app.state.db.transaction(writes=False) as session:
        return {"Requesters": ops.list_requesters(session)}


@router.get("/api/workers")
def list_workers(request: Request, MaxResults: int | None = Query(default=None),  # noqa: N803
                 NextToken: str | None = Query(default=None),  # noqa: N803 - MTurk's names
                 authorization: str | None = Header(default=None)) -> dict:
    """Every worker in WorkerId order (admin): ``{"Workers": [{"WorkerId", "CreationTime"}], "NextToken"}``."""
    require_worker_admin(request, authorization)
    with request.app.state.db.transaction(writes=False) as session:
        return ops.list_workers(session, next_token=NextToken, max_results=MaxResults)


@router.post("/api/workers/{worker_id}/token")
def reissue_token(worker_id: str, request: Request, authorization: str | None = Header(default=None)) -> dict:
    """A new API token for a worker who lost theirs (admin): ``{"WorkerId", "Token", "IssuedAt"}``. The old
    token is refused from now on."""
    require_worker_admin(request, authorization)
    state = request.app.state
    with state.db.transaction() as session:
        return ops.reissue_worker_token(session, worker_id, state.clock.now())
