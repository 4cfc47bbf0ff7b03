"""Reading one's own work: an assignment, all of them (every status) a page at a time, and the dashboard."""

from __future__ import annotations

from kempelen.domain.money import format_amount
from kempelen.operations.worksite.context import WorkerContext, own_assignment
from kempelen.operations.worksite.profiles import worker_view
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



MY_HITS_PAGE = 25


def my_hits(ctx: WorkerContext, next_token: str | None, page_size: int = MY_HITS_PAGE) -> dict:
    """My HITs: the worker's assignments in every status, newest last as MTurk's API lists them, each with
    its reward and the bonuses paid for it."""
    page = list_assignments(ctx, next_token, page_size)
    bonuses = store.bonus_cents_by_assignment(ctx.session, [a["AssignmentId"] for a in page["Assignments"]])
    for view in page["Assignments"]:
        view["Bonus"] = format_amount(bonuses.get(view["AssignmentId"], 0))
    return page


def dashboard(ctx: WorkerContext) -> dict:
    """Earnings (rewards and bonuses), the approval rate and the statistics system qualifications read."""
    view = worker_view(ctx.session, ctx.worker, ctx.now)
    view["AutoAccept"] = ctx.worker.auto_accept
    return view
