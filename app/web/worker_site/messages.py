"""The inbox: NotifyWorkers messages and qualification notices."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kempelen import errors
from kempelen.operations.worksite import qualifications as ops
from kempelen.web import pages, sessions
from kempelen.web.worker_site.common import as_worker, next_page_url, signed_in_worker

router = APIRouter()


@router.get("/messages")
def inbox(request: Request, who: sessions.SignedIn = signed_in_worker, next: str | None = None):  # noqa: A002
    with as_worker(request, who, writes=False) as ctx:
        try:
            page = ops.list_messages(ctx, next, 25)
        except errors.WorkerError:
            return pages.redirect("/messages")
    next_url = next_page_url("/messages", page["NextToken"], page["NumResults"], 25)
    return pages.render(request, "worker_site/messages.html",
                        {"section": "messages", "messages": page["Messages"], "next_url": next_url})
