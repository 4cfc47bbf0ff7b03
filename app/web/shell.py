"""What every page of both websites shares, installed on the app in one call: the security headers, the
static files, and the answers to a refused form (CSRF) or a page that needs signing in."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from kempelen.web import pages, sessions
from kempelen.web.security import SecurityHeaders


def _csrf_refused(request: Request, _exc: sessions.CSRFRefused):
    return pages.render(request, "csrf_refused.html", status=403)


def _sign_in_required(_request: Request, exc: sessions.SignInRequired):
    return RedirectResponse(exc.location, status_code=303)


def install(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
    app.mount("/static", pages.static_files(), name="static")
    app.add_exception_handler(sessions.CSRFRefused, _csrf_refused)
    app.add_exception_handler(sessions.SignInRequired, _sign_in_required)
