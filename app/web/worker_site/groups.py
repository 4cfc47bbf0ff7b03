"""The HIT groups list (MTurk's "HITs" / "Projects" page)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request

from kempelen import errors
from kempelen.operations.worksite import discover
from kempelen.web import pages, sessions
from kempelen.web.worker_site.common import as_worker, notice_of, signed_in_worker

router = APIRouter()

SORT_LABELS = {"newest": "Newest first", "reward": "Reward (highest first)", "hits": "HITs available (most first)"}
# the new worker site's sort names, as browser extensions and bookmarks carry them
MTURK_SORTS = {"updated_desc": "newest", "reward_desc": "reward", "num_hits_desc": "hits"}


@router.get("/projects")
def groups(request: Request, who: sessions.SignedIn = signed_in_worker, sort: str = "newest", q: str = "",
           qualified: str = "", next: str | None = None, notice: str | None = None):  # noqa: A002
    params = request.query_params
    sort = MTURK_SORTS.get(sort, sort) if sort in MTURK_SORTS or sort in SORT_LABELS else "newest"
    q = (q or params.get("filters[search_term]", "")).strip()[:200]
    qualified_only = (qualified or params.get("filters[qualified]", "")) in ("on", "true", "1")
    problem = None
    with as_worker(request, who, writes=False) as ctx:
        try:
            page = discover.list_groups(ctx, sort=sort, search=q or None, qualified_only=qualified_only,
                                        next_token=next)
        except errors.WorkerError as refused:
            page, problem = discover.list_groups(ctx, sort=sort, search=q or None,
                                                 qualified_only=qualified_only), refused.message
    base = {"sort": sort, **({"q": q} if q else {}), **({"qualified": "on"} if qualified_only else {})}
    next_url = f"/projects?{urlencode({**base, 'next': page['NextToken']})}" if page["NextToken"] else None
    first_url = f"/projects?{urlencode(base)}" if next else None
    return pages.render(request, "worker_site/groups.html", {
        "section": "hits", "groups": page["Groups"], "sort": sort, "sort_labels": SORT_LABELS, "q": q,
        "qualified_only": qualified_only, "next_url": next_url, "first_url": first_url,
        "notice": notice_of(notice), "problem": problem})
