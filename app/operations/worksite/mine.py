"""Reading one's own work: an assignment, and all of them (every status) a page at a time."""

from __future__ import annotations

from kempelen.operations.worksite.context import WorkerContext
from kempelen.operations.worksite.context import own_assignment
from kempelen.operations.worksite.paging import cursor, limit_of
from kempelen.operations.worksite.views import assignment_view
from kempelen.store import assignments as store
from kempelen.store import pagination


def get_assignment(ctx: WorkerContext, assignment_id: str) -> dict:
    assignment, hit, hit_type, _ = own_assignment(ctx, assignment_id)
    return assignment_view(ctx, assignment, hit, hit_type)


def list_assignments(ctx: WorkerContext, next_token: str | None, max_results: int | None) -> dict:
    scope = "worker-assignments"
    after = cursor(scope, next_token)
    rows = store.page_for_worker(ctx.session, ctx.worker.worker_id, after=after, limit=limit_of(max_results))
    return {"Assignments": [assignment_view(ctx, a, h, t) for a, h, t in rows], "NumResults": len(rows),
            "NextToken": pagination.encode(scope, rows[-1][0].seq) if rows else None}

