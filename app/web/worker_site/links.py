"""The worker-site links client code prints, with MTurk's host replaced by this server's: the legacy
preview (/mturk/preview?groupId=...), preview-and-accept, and the newer /projects/... ones (in work.py)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request

from kempelen.web import pages

router = APIRouter()


@router.get("/mturk/preview")
def legacy_preview(request: Request, groupId: str = "", hitId: str = ""):  # noqa: N803 - MTurk's names
    if groupId:
        return pages.redirect(f"/projects/{quote(groupId)}/tasks")
    return pages.redirect("/projects")


@router.get("/mturk/previewandaccept")
def legacy_preview_and_accept(request: Request, groupId: str = ""):  # noqa: N803
    if groupId:
        return pages.redirect(f"/projects/{quote(groupId)}/tasks/accept_random")
    return pages.redirect("/projects")
