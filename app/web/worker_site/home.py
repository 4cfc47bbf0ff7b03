"""The front door: signed in, the HIT groups; signed out, the sign-in page."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kempelen.operations import workers as ops
from kempelen.web import pages, sessions
from kempelen.web.worker_site.common import as_worker, signed_in_worker

router = APIRouter()


@router.get("/")
def home(request: Request):
    if sessions.signed_in_as(request, sessions.WORKER):
        return pages.redirect("/projects")
    return pages.redirect("/signin")


@router.get("/dashboard")
def dashboard(request: Request, who: sessions.SignedIn = signed_in_worker, welcome: int = 0):
    with as_worker(request, who, writes=False) as ctx:
        view = ops.worker_view(ctx.session, ctx.worker, ctx.now)
    return pages.render(request, "worker_site/dashboard.html",
                        {"section": "dashboard", "me": view,
                         "notice": "Welcome! Your account is ready." if welcome else None})
