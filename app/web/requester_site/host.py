"""The requester site on a host name of its own (KEMPELEN_REQUESTER_HOST): a request to that host whose path
is not already the site's (or the API's, the static files', the admin routes') is served from /requester/."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from kempelen.web.requester_site.common import PREFIX

_KEEP = (PREFIX + "/", "/static/", "/_kempelen/")


class RequesterHost:
    def __init__(self, app: ASGIApp, host: str):
        self.app = app
        self.host = host.lower().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._ours(scope):
            path = scope["path"]
            if not (path == PREFIX or path.startswith(_KEEP)):
                scope = {**scope, "path": PREFIX + path, "raw_path": (PREFIX + path).encode()}
        await self.app(scope, receive, send)

    def _ours(self, scope: Scope) -> bool:
        headers = dict(scope.get("headers") or [])
        if b"x-amz-target" in headers:  # the Requester API keeps POST / on every host
            return False
        return headers.get(b"host", b"").split(b":")[0].lower() == self.host
