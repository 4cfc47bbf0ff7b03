"""Security headers on every response: one ASGI middleware, so no route can forget them.

Pages get a strict Content-Security-Policy (only this server's scripts, styles and images; no inline
script; forms post only here; not framed by others). A route that needs another policy (the task page
framing an ExternalURL, requester content served sandboxed) sets its own Content-Security-Policy and
frame headers, which are kept as they are.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the pages' policy; frame-src is widened per page by the routes that frame requester content
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "media-src 'self'; font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))
# FastAPI's own documentation pages (/_kempelen/docs) load their assets elsewhere and run inline script.
_NO_PAGE_POLICY = ("/_kempelen/",)


def page_csp(frame_src: str = "'self'", form_action: str = "'self'") -> str:
    """The pages' policy with other frame sources (a task page's ExternalURL origin, the content origin)."""
    return (PAGE_CSP.replace("frame-src 'self'", f"frame-src {frame_src}")
            .replace("form-action 'self'", f"form-action {form_action}"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": secured(message.get("headers", []), path)}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secured(headers, path: str) -> list:
    """The headers of an answer to a request for `path`, with those every answer carries, and a page's policy
    on an HTML page (unless the route set its own, or the path is one of _NO_PAGE_POLICY's)."""
    page_policy = not path.startswith(_NO_PAGE_POLICY)
    headers = list(headers)
    names = {name.lower() for name, _ in headers}
    headers.extend(header for header in ALWAYS if header[0] not in names)
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    if page_policy and content_type.startswith(b"text/html"):
        if b"content-security-policy" not in names:
            headers.append((b"content-security-policy", PAGE_CSP.encode()))
            if b"x-frame-options" not in names:
                headers.append((b"x-frame-options", b"DENY"))
    return headers
