"""The front door: MTurk's Requester API (every operation is `POST /`) answered before FastAPI's routing.

Requester calls are nearly all of a server's traffic, and FastAPI would run them through its exception
layers and try every route of the worker, admin, file and site routers before reaching `POST /`. This ASGI
layer takes `POST /` itself: through what the app's own middleware does (the request observer's log line
and metrics, the edge limits, the security headers; applied inline for a call the edge lets through, see
_stack_middleware), then straight to the requester endpoint here, which reads the body, applies any fault
rule, hands it to kempelen.protocol.RequesterAPI and writes the answer. Every other request goes to the
FastAPI app unchanged.

Where the operation runs. On SQLite: cheap reads on the event loop (a worker-thread hop costs about as much
as the read, see RequesterAPI.runs_inline). Writes take the process's write lock in turn anyway
(RequesterAPI.takes_turns): they run on the event loop too (the hop to a thread and the GIL hand-offs around
it cost a CreateHIT as much as its statements), but the loop never blocks on the lock (_write_in_turn), and
the writes of one turn of the loop commit together (kempelen.store.db.CommitGroup).
Everything else runs on a thread pool (a plain executor: anyio's to_thread costs several times more per
call). On PostgreSQL every call runs on the event loop in a greenlet of its own (SQLAlchemy's
greenlet_spawn), on asyncpg connections: the operation's code stays synchronous, and each round
trip suspends its greenlet while the loop serves other requests. Threads overlapped those waits too, but
their hand-offs of the GIL cost more than the queries (and synchronous waits on the loop queued commits one
behind another).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from sqlalchemy.util.concurrency import greenlet_spawn
from starlette.requests import Request

from kempelen.auth.sigv4 import SignedRequest
from kempelen.faults import Faults
from kempelen.limits import EdgeLimits
from kempelen.observability.requests import RequestObserver
from kempelen.protocol import CONTENT_TYPE, RequesterAPI
from kempelen.store.db import WriteLockBusy
from kempelen.web.faults import injected_response
from kempelen.web.requester_site.host import RequesterHost
from kempelen.web.security import SecurityHeaders, secured
from kempelen.web.workers import public_url

_CONTENT_TYPE = CONTENT_TYPE.encode()
_ANSWER_HEADERS = (b"content-length", b"content-type", b"x-amzn-requestid")
# What SecurityHeaders adds to an answer of the requester API (JSON, at "/", the names above): asked of the
# rule itself once, since those never change.
_SECURED = tuple(secured([(name, _CONTENT_TYPE if name == b"content-type" else b"") for name in _ANSWER_HEADERS],
                         "/")[len(_ANSWER_HEADERS):])
#: the middleware whose work on a requester call the front knows how to do inline (_stack_middleware)
_INLINE_KINDS = (RequestObserver, SecurityHeaders, EdgeLimits, RequesterHost)
# Enough for every connection a busy server holds to have its operation in flight; writes on SQLite queue
# on one lock anyway.
THREADS = 32


class _Endpoint:
    """The requester endpoint as a plain ASGI app, for the router."""

    def __init__(self, app: KempelenApp):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        await self.app._requester_call(scope, receive, send)


class KempelenApp(FastAPI):
    """FastAPI with the Requester API's `POST /` answered in front of it (see the module docstring)."""

    requester_api: RequesterAPI | None = None
    faults: Faults | None = None
    _requester_stack = None
    _observer: RequestObserver | None = None  # set when the middleware can be applied inline
    _edge: EdgeLimits | None = None
    _executor: ThreadPoolExecutor | None = None
    _write_executor: ThreadPoolExecutor | None = None
    _origins: dict = {}

    def serve_requester_api(self, api: RequesterAPI, faults: Faults | None = None) -> None:
        self.requester_api, self.faults = api, faults
        self._origins = {}
        # POST / without X-Amz-Target takes the ordinary way (a middleware may route it elsewhere, as the
        # requester site's own host does) and, if it stays `/`, reaches the same endpoint through this route.
        self.router.add_route("/", _Endpoint(self), methods=["POST"], include_in_schema=False)

    async def __call__(self, scope, receive, send) -> None:
        if (self.requester_api is not None and scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] == "/" and any(name == b"x-amz-target" for name, _ in scope["headers"])):
            scope["app"] = self
            if self._requester_stack is None:
                self._stack_middleware()
            if (self._observer is not None and self._edge.passes_untouched(scope)
                    and not (self.faults is not None and self.faults.active)):
                await self._observed_requester_call(scope, receive, send)
            else:
                await self._requester_stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def _stack_middleware(self) -> None:
        """The app's own middleware (as Starlette stacks it: the first added innermost) around ours. Where it
        is this app's own (kempelen.main), what it does to a requester call that the edge lets through
        untouched is done inline instead (_observed_requester_call): its three layers, each wrapping the
        send of the one inside, cost a GetHIT 15 to 20 us of CPU in process (2 to 3% at a loaded server)."""
        stack, layers = self._requester_call, {}
        for middleware in reversed(self.user_middleware):
            stack = middleware.cls(stack, *middleware.args, **middleware.kwargs)
            kind = next((kind for kind in _INLINE_KINDS if isinstance(stack, kind)), None)
            layers[kind] = stack
        self._requester_stack = stack
        # RequesterHost leaves requester calls as they are; middleware of any other kind keeps the whole stack
        if None not in layers and {RequestObserver, SecurityHeaders, EdgeLimits} <= set(layers):
            self._observer, self._edge = layers[RequestObserver], layers[EdgeLimits]

    async def _observed_requester_call(self, scope, receive, send) -> None:
        """A requester call as the middleware stack would answer it: counted and logged (RequestObserver),
        the headers of every answer added (SecurityHeaders); the edge (EdgeLimits) has let it through."""
        started, status, body = time.perf_counter(), 500, b""  # 500 unless answered, as the observer counts
        try:
            answered = await self._requester_call(scope, receive, send, inline_middleware=True)
            if answered is not None:
                status, body = answered
        finally:
            self._observer.record_answer(scope, status, body, time.perf_counter() - started)

    async def _requester_call(self, scope, receive, send, *, inline_middleware: bool = False
                              ) -> tuple[int, bytes] | None:
        """Answers the call; returns the status and body sent (None if the client left first, or a fault rule
        answered). `inline_middleware`: called by _observed_requester_call, not through the stack."""
        api = self.requester_api
        chunks = []
        while True:  # bounded: ends at the last body chunk or at a disconnect
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        signed = SignedRequest(
            method="POST", path=scope.get("raw_path", b"/").decode("latin-1").split("?")[0],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]], body=body)
        # off by default (kempelen.faults); a rule turned on meanwhile applies from the next call through the stack
        if not inline_middleware and self.faults is not None and self.faults.active:
            injected = await injected_response(self.faults, signed.headers, api.clock, CONTENT_TYPE)
            if injected is not None:
                await injected(scope, receive, send)
                return None
        origin = self._origin(scope)
        if api.db.greenlets:
            result = await greenlet_spawn(api.handle, signed, origin)
        elif api.runs_inline(signed):
            result = api.handle(signed, origin)
        elif api.takes_turns(signed):
            result = await self._write_in_turn(signed, origin)
        else:
            result = await asyncio.get_running_loop().run_in_executor(self._pool(), api.handle, signed, origin)
        headers = [(b"content-length", b"%d" % len(result.body)), (b"content-type", _CONTENT_TYPE),
                   (b"x-amzn-requestid", result.request_id.encode())]  # as _ANSWER_HEADERS names them
        if inline_middleware:
            headers.extend(_SECURED)
        await send({"type": "http.response.start", "status": result.status, "headers": headers})
        await send({"type": "http.response.body", "body": result.body})
        return result.status, result.body

    async def _write_in_turn(self, signed: SignedRequest, origin: str):
        """An SQLite write, on the event loop when the write lock is free, in the loop's commit group (its
        answer waits for the group's COMMIT: kempelen.store.db.CommitGroup). Held by another thread of this
        process (the sweeper, a site page), the loop waits for its release without blocking and tries
        again; held by another process, whose release cannot be awaited, the write queues on the writer
        thread, which waits in SQLite's busy handler."""
        api = self.requester_api
        grouped = True
        while True:
            joined = [] if grouped else None
            try:
                result = api.handle(signed, origin, wait=False, joined=joined)
            except WriteLockBusy as busy:
                if not busy.in_this_process:
                    return await asyncio.get_running_loop().run_in_executor(
                        self._writer(), api.handle, signed, origin)
                await api.db.write_lock_released()
                continue
            if not joined or await joined[-1].committed:
                return result
            grouped = False  # the group's COMMIT failed, so this write changed nothing: it runs again, alone

    def _origin(self, scope) -> str:
        """public_url() of the request, remembered per Host header, scheme and root path (building
        Starlette's URL cost a fifth of a GetHIT); bounded, since clients choose the Host header."""
        host = next((value for name, value in scope["headers"] if name == b"host"), None)
        server = scope.get("server")  # a tuple from uvicorn; a list from Starlette's TestClient
        key = (host, scope.get("scheme"), scope.get("root_path"), tuple(server) if server else None)
        origin = self._origins.get(key)
        if origin is None:
            if len(self._origins) >= 1000:
                self._origins.clear()
            origin = self._origins[key] = public_url(Request(scope))
        return origin

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(THREADS, thread_name_prefix="kempelen-op")
        return self._executor

    def _writer(self) -> ThreadPoolExecutor:
        if self._write_executor is None:
            self._write_executor = ThreadPoolExecutor(1, thread_name_prefix="kempelen-write")
        return self._write_executor

    def shutdown_executor(self) -> None:
        for executor in (self._executor, self._write_executor):
            if executor is not None:
                executor.shutdown(wait=False)
        self._executor = self._write_executor = None

