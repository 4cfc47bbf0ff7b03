"""A bare HTTP/1.1 keep-alive client: the fuzzers send thousands of requests, and a full client library would
cost more time per request than the server spends refusing it."""

from __future__ import annotations

import select
import socket

_CHUNK = 64 * 1024
EARLY_ANSWER_OVER = 1024 * 1024  # the server's default body limit


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self._sock = None
        self._file = None

    def _connect(self) -> None:
        self.close()
        self._sock = socket.create_connection((self.host, self.port), timeout=60)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._file = self._sock.makefile("rb")

    def close(self) -> None:
        if self._sock is not None:
            self._file.close()
            self._sock.close()
            self._sock = self._file = None

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"", *,
                declared_length: int | None = None) -> Response:
        """`declared_length` larger than `body`: announce that many bytes but send only `body` (an oversized
        upload the server must refuse from its Content-Length alone); the connection is then dropped."""
        if self._sock is None:
            self._connect()
        length = len(body) if declared_length is None else declared_length
        head = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
        if method != "GET" or body:
            head.append(f"content-length: {length}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body
        try:
            self._send(data)
            response = self._read()
        except OSError:  # reset, broken pipe, timeout: the next request starts on a new connection
            self.close()
            raise
        if (declared_length is not None or response.status >= 500
                or response.headers.get("connection", "").lower() == "close"):
            self.close()
        return response

    def _send(self, data: bytes) -> None:
        # A body over the server's usual limit waits for the verdict on the head first: the server refuses it
        # from its Content-Length and closes, and writing on would turn its answer into a connection reset.
        if len(data) <= EARLY_ANSWER_OVER:
            self._sock.sendall(data)
            return
        end = data.index(b"\r\n\r\n") + 4
        self._sock.sendall(data[:end])
        if select.select([self._sock], [], [], 2.0)[0]:
            return
        view = memoryview(data)
        for start in range(end, len(data), _CHUNK):
            if select.select([self._sock], [], [], 0)[0]:
                return
            self._sock.sendall(view[start:start + _CHUNK])

    def _read(self) -> Response:
        status_line = self._file.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = self._file.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = self._file.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._file.readline().split(b";")[0], 16)
                if size == 0:
                    self._file.readline()
                    break
                body += self._file.read(size)
                self._file.readline()
        else:
            body = self._file.read()
        return Response(status, headers, body)
