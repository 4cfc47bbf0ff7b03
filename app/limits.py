"""What every door refuses before any route, credential check or buffering: a body over the limit, and a
path, query string or form body holding a character no database can store (NUL).

Pure ASGI, so a refused request costs no routing and no body read. A declared Content-Length over the limit
is answered at once, without reading a byte of the body; a chunked body is counted as it is received and
cut off at the limit. The requester API (``POST /``) answers in AWS's envelope, every other door in
``{"Error": {"Code", "Message"}}``; both are built in app/errors.py. Uploads (multipart/form-data posts to
the routes in UPLOAD_ROUTES) have their own, larger bound.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

from kempelen import errors, ids

# The defaults (kempelen.config: KEMPELEN_MAX_BODY_BYTES, KEMPELEN_MAX_UPLOAD_BYTES): 1 MiB, a little above
# the largest valid requester-API request (a CreateQualificationType whose 65535-byte Test and AnswerKey grow
# up to six times as JSON escapes them), and for uploads MTurk's 2,000,000,000-byte FileUploadAnswer
# maximum plus 1 MiB of multipart framing.

# A batch's CSV (upload, or a reviewed results file) travels as JSON to the requester routes: 10,000 rows are
# a few MB, so these two get a bound of their own.
CSV_BODY_BYTES = 32 * 1024 * 1024
_CSV_PATHS = re.compile(r"^/_kempelen/requester/batches(/[^/]+/review)?$"
                        # the requester website's uploads of the same files (multipart forms)
                        r"|^(/requester)?/projects/[^/]+/batches/new$|^(/requester)?/batches/[^/]+/review$")
_AWS_DOOR = "/"

#: Routes that take files as multipart/form-data and read them with Starlette's streaming parser. A page that
#: takes an upload larger than the body limit (a CSV of a big batch) adds its route here.
UPLOAD_ROUTES: list[re.Pattern] = [
    re.compile(r"/api/worker/assignments/[^/]+/files/[^/]+"),  # FileUploadAnswer files
    re.compile(r"//?mturk/externalSubmit"),                    # a QuestionForm's file parts
]


class _Refused(Exception):
    def __init__(self, problem: int | str):
        super().__init__(problem)
        self.problem = problem


class EdgeLimits:
    def __init__(self, app, *, max_body_bytes: int, max_upload_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    def passes_untouched(self, scope) -> bool:
        """Whether this layer would hand the request on as it came: nothing unstorable in the path or query,
        and a declared length within the limit (kempelen.front answers such a requester call without it)."""
        return _storable(scope["path"], scope.get("query_string", b"")) and self._look(scope)[0] == _PASS

    def _look(self, scope) -> tuple[str, int, bool]:
        """From the request's headers: what to do (_PASS, _REFUSE or _COUNT), the body's limit, and whether
        the body is a form."""
        path = scope["path"]
        declared, media_type = None, b""
        for name, value in scope["headers"]:  # one pass: the two headers that matter here
            if name == b"content-length":
                declared = int(value) if value.isdigit() else None
            elif name == b"content-type":
                media_type = value.split(b";")[0].strip().lower()
        # Only a multipart post to an upload route streams (Starlette spools file parts to disk); any other
        # route, whatever the Content-Type, may buffer the whole body.
        upload = media_type == b"multipart/form-data" and any(route.fullmatch(path) for route in UPLOAD_ROUTES)
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        if _CSV_PATHS.match(path):
            limit = max(limit, CSV_BODY_BYTES)
        if declared is not None and declared > limit:
            return _REFUSE, limit, False
        form = media_type == b"application/x-www-form-urlencoded" and path != _AWS_DOOR
        # The server reads no more than the declared length (HTTP framing), so nothing needs counting: the hot
        # path pays for one look at the headers.
        return (_PASS if declared is not None and not form else _COUNT), limit, form

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        query = scope.get("query_string", b"")
        if not _storable(path, query):
            return await _answer(send, path, _unstorable(path, query))
        verdict, limit, form = self._look(scope)
        if verdict == _REFUSE:
            return await _answer(send, path, limit)
        if verdict == _PASS:
            return await self.app(scope, receive, send)

        received = 0
        refused: int | str | None = None
        answered = False
        # A form post is the one body whose text fields reach the database undecoded by us: a NUL in it
        # ("%00") is seen here, in the bytes already passing through (the tail covers a split "%0|0").
        tail = b""

        async def counted_receive():
            nonlocal received, refused, tail
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    refused = limit
                    raise _Refused(limit)
                if form:
                    seen = tail + chunk
                    if b"%00" in seen or b"\x00" in seen:
                        refused = "form body"
                        raise _Refused(refused)
                    tail = chunk[-2:]
            return message

        async def watched_send(message):
            nonlocal answered
            if refused is None:
                answered = answered or message["type"] == "http.response.start"
                return await send(message)
            # The route turned the cut-off into an answer of its own (FastAPI: "error parsing the body"):
            # this one goes out instead.
            if message["type"] == "http.response.start" and not answered:
                answered = True
                await _answer(send, path, refused)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _Refused as exc:
            if not answered:
                await _answer(send, path, exc.problem)


_PASS, _REFUSE, _COUNT = "pass", "refuse", "count"


def _storable(path: str, query_string: bytes) -> bool:
    return "\x00" not in path and b"%00" not in query_string and b"\x00" not in query_string


def _unstorable(path: str, query_string: bytes) -> str:
    """Where a NUL hides, said so the caller can find it: a path segment or a query parameter's name."""
    if "\x00" in path:
        segment = next(part for part in path.split("/") if "\x00" in part)
        return f"path segment {segment.replace(chr(0), '%00')!r}"
    if b"%00" in query_string or b"\x00" in query_string:
        for pair in query_string.decode("latin-1").split("&"):
            if "%00" in pair or "\x00" in pair:
                name = unquote(pair.partition("=")[0]).replace("\x00", "%00")
                return f"query parameter {name!r}"
    return "query string"


async def _answer(send, path: str, problem: int | str) -> None:
    """``problem``: the byte limit exceeded, or where an unstorable character was found."""
    request_id = ids.request_id()
    if path == _AWS_DOOR:
        error = (errors.request_too_large_aws(problem) if isinstance(problem, int)
                 else errors.ValidationException([f"The {problem} contains a character that is not allowed"]))
        status, body, content_type = error.status_code, error.body(0), b"application/x-amz-json-1.1"
    else:
        error = errors.request_too_large(problem) if isinstance(problem, int) else errors.unstorable_path(problem)
        status, body, content_type = error.status, error.body(), b"application/json"
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode()),
               (b"x-amzn-requestid", request_id.encode())]
    if isinstance(problem, int):
        headers.append((b"connection", b"close"))  # the rest of an oversized body is never read
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
