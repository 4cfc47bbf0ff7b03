"""The admin and worker API client on one keep-alive connection per thread, for the simulated crowd."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from typing import Any

from kempelen.client import KempelenClient, Unreachable, refusal


class KeepAliveClient(KempelenClient):
    """The admin/worker API client on one keep-alive connection per thread: a crowd sends thousands of small
    requests, and a new TCP connection for each would cost more than many of the requests themselves."""

    def __init__(self, endpoint: str | None, admin_token: str | None):
        super().__init__(endpoint, admin_token)
        parsed = urllib.parse.urlsplit(self.endpoint)
        self._host, self._port = parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80)
        self._https, self._prefix = parsed.scheme == "https", parsed.path.rstrip("/")
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = self._local.connection = kind(self._host, self._port, timeout=self.timeout)
        return connection

    def call(self, method: str, path: str, body: Any = None, *, worker_id: str | None = None,
             query: dict | None = None) -> Any:
        path, data, headers = self.prepare(path, body, worker_id=worker_id, query=query)
        status, raw = self.send(method, path, data, headers)
        if status >= 400:
            raise refusal(status, raw.decode(errors="replace"))
        return json.loads(raw or b"null")

    def send(self, method: str, path: str, data: bytes | None, headers: dict) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is opened again, once
            connection = self._connection()
            try:
                connection.request(method, self._prefix + path, body=data, headers=headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, ConnectionError, OSError) as exc:
                connection.close()
                self._local.connection = None
                stale = isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError))
                if attempt == 2 or not stale:
                    raise Unreachable(f"cannot reach {self.endpoint}: {exc}") from None
        raise AssertionError("unreachable")
