"""Finding work: the Assignable HITs a worker may take, and previewing one."""

from __future__ import annotations

from kempelen.domain import qualifications as quals
from kempelen.operations.worksite.context import WorkerContext, check_allowed, find_hit, hidden_hit_types
from kempelen.operations.worksite.paging import cursor, limit_of
from kempelen.operations.worksite.views import hit_view, question_view
from kempelen.store import assignments as store
from kempelen.store import hits as hit_store
from kempelen.store import pagination


def list_hits(ctx: WorkerContext, next_token: str | None, max_results: int | None,
              hit_type_id: str | None = None) -> dict:
    scope = f"worker-hits:{hit_type_id or ''}"
    after = cursor(scope, next_token)
    limit = limit_of(max_results)
    rows = store.assignable_page(ctx.session, ctx.worker.worker_id, ctx.now, after=after, limit=limit,
                                 hit_type_id=hit_type_id, hidden_hit_types=hidden_hit_types(ctx))
    counts = hit_store.assignment_counts(ctx.session, [hit.hit_id for hit, _ in rows], ctx.now)  # one query a page
    return {"HITs": [hit_view(ctx, hit, hit_type, counts[hit.hit_id]) for hit, hit_type in rows],
            "NumResults": len(rows),
            "NextToken": pagination.encode(scope, rows[-1][0].seq) if rows else None}



def preview_hit(ctx: WorkerContext, hit_id: str) -> dict:
    hit, hit_type = find_hit(ctx, hit_id)
    check_allowed(ctx, hit, hit_type, quals.PREVIEW)
    return {**hit_view(ctx, hit, hit_type), **question_view(ctx, hit, None)}

