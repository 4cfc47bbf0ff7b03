"""The inbox: NotifyWorkers messages and qualification notices."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request

from kempelen import errors
from kempelen.operations.worksite import qualifications as ops
from kempelen.web import pages, sessions
from kempelen.web.worker_site.common import as_worker, signed_in_worker

router = APIRouter()


@router.get("/messages")
def inbox(request: Request, who: sessions.SignedIn = signed_in_worker, next: str | None = None):  # noqa: A002
    with as_worker(request, who, writes=False) as ctx:
        try:
            page = ops.list_messages(ctx, next, 25)
        except errors.WorkerError:
            return pages.redirect("/messages")
    next_url = (f"/messages?{urlencode({'next': page['NextToken']})}"
                if page["NextToken"] and page["NumResults"] == 25 else None)
    return pages.render(request, "worker_site/messages.html",
                        {"section": "messages", "messages": page["Messages"], "next_url": next_url})
