"""The front door, My HITs and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kempelen import errors
from kempelen.operations.worksite import mine
from kempelen.web import pages, sessions
from kempelen.web.worker_site.common import as_worker, next_page_url, notice_of, signed_in_worker

router = APIRouter()


@router.get("/")
def home(request: Request):
    if sessions.signed_in_as(request, sessions.WORKER):
        return pages.redirect("/projects")
    return pages.redirect("/signin")


@router.get("/tasks")
def my_hits(request: Request, who: sessions.SignedIn = signed_in_worker, next: str | None = None,  # noqa: A002
            notice: str | None = None):
    with as_worker(request, who, writes=False) as ctx:
        try:
            page = mine.my_hits(ctx, next)
        except errors.WorkerError:
            return pages.redirect("/tasks")
    next_url = next_page_url("/tasks", page["NextToken"], len(page["Assignments"]), mine.MY_HITS_PAGE)
    return pages.render(request, "worker_site/my_hits.html",
                        {"section": "tasks", "assignments": page["Assignments"], "next_url": next_url,
                         "first_url": "/tasks" if next else None, "notice": notice_of(notice)})


@router.get("/dashboard")
def dashboard(request: Request, who: sessions.SignedIn = signed_in_worker, welcome: int = 0,
              notice: str | None = None):
    with as_worker(request, who, writes=False) as ctx:
        view = mine.dashboard(ctx)
    return pages.render(request, "worker_site/dashboard.html",
                        {"section": "dashboard", "me": view,
                         "notice": "Welcome! Your account is ready." if welcome else notice_of(notice)})
