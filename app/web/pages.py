"""Rendering the websites' pages: one jinja2 environment (autoescaped) over app/web/templates/, shared by the
worker site and the requester site, and the static files under /static (all served by Kempelen, no CDN)."""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from kempelen.web import sessions

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@functools.cache
def environment():
    """The pages' jinja2 environment, made (and jinja2 imported) at the first page: importing jinja2 cost a
    server's start a tenth of a second (its lexer's patterns), and an API-only server never renders a page."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    made = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)
    made.filters["duration"] = _duration
    made.filters["when"] = _when
    return made


def _duration(seconds: int | float | None) -> str:
    """3600 -> "1 hour", 5400 -> "1 hour 30 minutes", as MTurk wrote time allotted."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    if seconds and not parts:
        parts.append(f"{seconds} second{'s' if seconds != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def _when(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(timezone.utc).strftime("%b %d, %Y %H:%M UTC")


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)


def render(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page: the template with the request, the signed-in principal and the CSRF token in its context."""
    values = {"request": request, "signed_in": sessions.current(request),
              "csrf_token": sessions.csrf_token(request), "csrf_field": sessions.CSRF_FIELD}
    values.update(context or {})
    response = HTMLResponse(environment().get_template(template).render(values), status_code=status,
                            headers=headers)
    sessions.set_csrf_cookie(request, response)
    return response


def redirect(url: str) -> RedirectResponse:
    """After a POST: see the result with a GET (303)."""
    return RedirectResponse(url, status_code=303)
