"""The request observer: an ASGI wrapper that logs one line per request and counts it for /metrics.

What it reports: the operation (the X-Amz-Target's operation on `POST /`, else the route's path template,
so labels stay few), the access key id from the SigV4 Credential, the status, the error code from an error
body (TurkErrorCode, else the AWS __type, else the worker API's Error.Code) and the duration."""

from __future__ import annotations

import json
import logging
import time

from kempelen.observability.logs import REQUEST_LOGGER
from kempelen.observability.metrics import Metrics
from kempelen.schemas import OPERATION_NAMES

log = logging.getLogger(REQUEST_LOGGER)
# Error bodies are small; a larger one is not read for its code.
MAX_ERROR_BODY = 16_384


def _header(headers, name: bytes) -> bytes | None:
    for key, value in headers:
        if key == name:  # ASGI servers hand header names in lower case
            return value
    return None


OPERATIONS = {name.encode(): name for name in OPERATION_NAMES}


def operation_of(scope: dict, target: bytes | None) -> str:
    if target is not None:  # only MTurk's names: a made-up target must not make a new metric label
        return OPERATIONS.get(target.strip().rpartition(b".")[2], "(unknown operation)")
    route = scope.get("route")
    path = getattr(route, "path", None)
    return f"{scope['method']} {path}" if path else f"{scope['method']} (no route)"


def access_key_of(authorization: bytes | None) -> str:
    """AKIA... from `AWS4-HMAC-SHA256 Credential=AKIA.../20260101/us-east-1/mturk/aws4_request, ...`."""
    if not authorization:
        return "-"
    start = authorization.find(b"Credential=")
    if start < 0:
        return "-"
    start += len(b"Credential=")
    end = authorization.find(b"/", start)
    key = authorization[start:end if end > 0 else None][:128]
    return key.decode("ascii") if key.isalnum() else "(malformed)"  # a log line holds no caller's junk


def error_code_of(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return "-"
    if not isinstance(payload, dict):
        return "-"
    if payload.get("TurkErrorCode"):
        return str(payload["TurkErrorCode"])
    if payload.get("__type"):
        return str(payload["__type"]).rpartition("#")[2]
    error = payload.get("Error")
    if isinstance(error, dict) and error.get("Code"):
        return str(error["Code"])
    return "-"


class RequestObserver:
    def __init__(self, app, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, error_body, reading_error = 500, b"", False

        async def observed_send(message):
            nonlocal status, error_body, reading_error
            if message["type"] == "http.response.start":
                status = message["status"]
                reading_error = status >= 400
            elif reading_error and message["type"] == "http.response.body":
                error_body += message.get("body", b"")
                if len(error_body) > MAX_ERROR_BODY:
                    reading_error, error_body = False, b""
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            self.record(scope, status, error_body, time.perf_counter() - started)

    def record_answer(self, scope, status: int, body: bytes, seconds: float) -> None:
        """record() for an answer whose whole body is at hand (kempelen.front's requester calls)."""
        error_body = body if status >= 400 and len(body) <= MAX_ERROR_BODY else b""
        self.record(scope, status, error_body, seconds)

    def record(self, scope, status: int, error_body: bytes, seconds: float) -> None:
        """Count and log one answered request (`error_body`: the body of an error answer, else b"")."""
        headers = scope["headers"]
        target = _header(headers, b"x-amz-target") if scope["path"] == "/" else None
        operation = operation_of(scope, target)
        self.metrics.observe_request(operation, status, seconds)
        if log.isEnabledFor(logging.INFO):
            code = error_code_of(error_body) if error_body else "-"
            key = access_key_of(_header(headers, b"authorization")) if target is not None else "-"
            _log_request(operation, key, status, code, seconds)


def _log_request(operation: str, key: str, status: int, code: str, seconds: float) -> None:
    ms = round(seconds * 1000, 2)
    shown = f'"{operation}"' if " " in operation else operation  # a route: "GET /api/worker"
    # makeRecord + handle: the line without logging's caller lookup, which costs more than the rest of it
    log.handle(log.makeRecord(
        log.name, logging.INFO, "", 0, f"op={shown} key={key} status={status} error={code} ms={ms:.2f}", (), None,
        extra={"fields": {"event": "request", "operation": operation, "access_key_id": key, "status": status,
                          "error_code": code, "duration_ms": ms}}))
