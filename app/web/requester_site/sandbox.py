"""Requester HTML (a project's design layout, a batch row's page) never runs with the site's authority.

The page embeds it in ``<iframe sandbox="allow-scripts allow-forms">`` (no allow-same-origin: the frame is an
opaque origin, so it cannot read the site's cookies, its DOM, or call the site as the member), and the frame's
own response carries a CSP with ``sandbox`` too, so the same isolation holds when the frame URL is opened
directly. Its forms go nowhere (form-action 'none'), it can fetch nothing (connect-src 'none'), and only this
site may frame it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import HTMLResponse

from kempelen.domain.frames import EXTERNAL_SUBMIT_PATH
from kempelen.web.hit_content import STATIC_PATH, prepare_html_question
from kempelen.web.requester_site.common import PREFIX

SANDBOX = "allow-scripts allow-forms"
FRAME_CSP = (f"sandbox {SANDBOX}; default-src 'none'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
             "style-src 'self' 'unsafe-inline'; img-src * data: blob:; media-src * data: blob:; font-src 'self' data:; "
             "connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'")


def frame_response(html: str, status: int = 200) -> HTMLResponse:
    """Requester HTML as the worker site serves it (MTurk's script addresses pointed at this server's copies:
    kempelen.web.hit_content), under the sandbox policy."""
    html = prepare_html_question(html, assets_base=STATIC_PATH, submit_url=EXTERNAL_SUBMIT_PATH)
    return HTMLResponse(html, status_code=status, headers={
        "Content-Security-Policy": FRAME_CSP, "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer"})


def project_frame_url(hit_layout_id: str, samples: dict[str, str]) -> str:
    values = {f"v.{name}": value for name, value in samples.items() if value}
    return f"{PREFIX}/projects/{hit_layout_id}/frame" + (f"?{urlencode(values)}" if values else "")


def batch_frame_url(batch_id: int, index: int) -> str:
    return f"{PREFIX}/batches/{batch_id}/frame/{index}"
