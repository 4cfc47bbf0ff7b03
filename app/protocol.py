"""The AWS JSON 1.1 wire: X-Amz-Target -> operation, body -> schema, result or error -> response body.

Order of checks, as AWS's service framework applies them: signature, operation, body shape, model
constraints, then the operation's own rules; anything unexpected becomes a ServiceFault, never a trace.
"""

from __future__ import annotations

import json
import logging

import orjson
from dataclasses import dataclass

from kempelen import errors, ids
from kempelen.auth.sigv4 import SignedRequest, verify
from kempelen.clock import Clock, epoch_ms, wall_time
from kempelen.config import Settings
from kempelen.operations import REGISTRY
from kempelen.operations.context import OperationContext
from kempelen.schemas import OPERATION_NAMES, parse_request, serialize_response
from kempelen.store import requesters
from kempelen.store.db import Database, RunAgain, RunCheckedFirst, WriteLockBusy

TARGET_PREFIX = "MTurkRequesterServiceV20170117."
CONTENT_TYPE = "application/x-amz-json-1.1"
REQUESTER_CACHE_SECONDS = 5.0
# SQLite: point reads and pages by key are under a millisecond of CPU that a worker thread would hold the
# GIL for anyway, while the hop and the GIL hand-offs around it cost as much again, so they run on the event
# loop. Everything else (filters that can scan) goes to a thread (kempelen.front). On PostgreSQL every call
# runs on the loop in a greenlet instead (Database.greenlets), its round trips awaited.
INLINE_READS = frozenset({"GetHIT", "GetAccountBalance", "ListHITs"})

log = logging.getLogger("kempelen.protocol")


@dataclass(frozen=True)
class WireResponse:
    status: int
    body: bytes
    request_id: str


class RequesterAPI:
    def __init__(self, db: Database, clock: Clock, settings: Settings):
        self.db = db
        self.clock = clock
        self.settings = settings
        # Reads skip the requester query for a few seconds; a deactivated key may still read for that long.
        self.requesters = requesters.ActiveRequesterCache(ttl=REQUESTER_CACHE_SECONDS)

    def runs_inline(self, request: SignedRequest) -> bool:
        """Whether `request` is a cheap SQLite read, handled on the event loop (see INLINE_READS)."""
        return self.db.dialect == "sqlite" and _operation_name(request.headers) in INLINE_READS

    def takes_turns(self, request: SignedRequest) -> bool:
        """Whether `request` is a write on SQLite: those take this process's one write lock in turn anyway
        (kempelen.store.db), so they run on the event loop, one at a time (kempelen.front)."""
        if self.db.dialect != "sqlite":
            return False
        operation = REGISTRY.get(_operation_name(request.headers) or "")
        return operation is not None and operation.writes

    def handle(self, request: SignedRequest, origin: str = "", *, wait: bool = True,
               joined: list | None = None) -> WireResponse:
        """The response to `request`. With wait=False a write on SQLite does not wait for the write lock: it
        raises WriteLockBusy, having done nothing, when the lock is taken (see kempelen.front). `joined`: a
        write joins the loop's commit group, appended to this list, and must not be answered before the
        group is committed (kempelen.store.db.CommitGroup)."""
        request_id = ids.request_id()
        try:
            status, payload = 200, self._dispatch(request, request_id, origin, wait, joined)
        except errors.ServiceError as exc:
            status, payload = exc.status_code, exc.body(epoch_ms(self.clock.now()))
        except WriteLockBusy:
            raise
        except Exception:  # noqa: BLE001 - the client gets MTurk's fault, the log gets the trace
            log.exception("request %s failed", request_id)
            fault = errors.ServiceFault()
            status, payload = fault.status_code, fault.body(epoch_ms(self.clock.now()))
        return WireResponse(status, encode(payload), request_id)

    def _dispatch(self, request: SignedRequest, request_id: str, origin: str, wait: bool,
                  joined: list | None) -> dict:
        name = _operation_name(request.headers)
        operation = REGISTRY.get(name) if name else None
        if operation is None or not operation.writes:
            # A read verifies and runs with the cached requester, its transaction opened only if it needs
            # the ORM (kempelen.store.db.LazyRead): one prepared statement needs none (hot path).
            with self.db.reading() as session:
                found = {}

                def lookup_secret(access_key_id: str) -> str | None:
                    key = self.requesters.find_signing_key(session, access_key_id)
                    found["requester"] = key[0] if key else None
                    return key[1] if key else None

                verify(request, lookup_secret, wall_time())
                parsed = self._parse(name, operation, request.body)
                return self._run(operation, session, found["requester"], parsed, request_id, origin)
        # A write is verified and parsed before its transaction begins, so a badly signed or malformed
        # write never takes SQLite's write lock (or a PostgreSQL connection for a transaction).
        access_key_id = verify(request, self._secret_outside_transaction, wall_time())
        parsed = self._parse(name, operation, request.body)
        try:
            return self._write_again_if_forgotten(operation, access_key_id, parsed, request_id, origin, wait,
                                                  joined, defer_check=operation.defers_check)
        except RunCheckedFirst:  # it wrote nothing; the key is checked before anything else this time
            return self._write_again_if_forgotten(operation, access_key_id, parsed, request_id, origin, wait,
                                                  joined, defer_check=False)

    def _write_again_if_forgotten(self, *args, defer_check: bool) -> dict:
        try:
            return self._write(*args, defer_check=defer_check)
        except RunAgain:  # it rolled back; what it trusted is forgotten now
            return self._write(*args, defer_check=defer_check)

    def _write(self, operation, access_key_id: str, parsed, request_id: str, origin: str, wait: bool,
               joined: list | None, *, defer_check: bool) -> dict:
        # The writer checks its key again in its own transaction: a deactivated key changes nothing. The
        # check may travel with the BEGIN (requesters.begin_check), or for some operations with their first
        # statement (Operation.defers_check); the account is then the cached one.
        cached = self.requesters.cached(access_key_id)
        check = requesters.begin_check(self.db, access_key_id, cached)
        with self.db.writing(wait=wait, begin_check=check, defer_check=defer_check, joined=joined) as session:
            if session.check_deferred:
                try:
                    return self._run(operation, session, cached[0], parsed, request_id, origin)
                except errors.ServiceError:
                    if session.check_deferred:  # refused before the key was checked: that comes first
                        raise RunCheckedFirst() from None
                    raise
            if session.begin_check_passed:
                requester = cached[0]
            else:
                key = requesters.find_signing_key(session, access_key_id)
                if key is None:
                    raise errors.UnrecognizedClientException()
                requester = key[0]
            return self._run(operation, session, requester, parsed, request_id, origin)

    def _secret_outside_transaction(self, access_key_id: str) -> str | None:
        key = self.requesters.cached(access_key_id)
        if key is None:
            with self.db.reading() as session:
                key = self.requesters.find_signing_key(session, access_key_id)
        return key[1] if key else None

    @staticmethod
    def _parse(name: str | None, operation, body: bytes):
        if name not in OPERATION_NAMES:
            raise errors.UnknownOperationException()
        parsed = parse_request(name, body)
        if operation is None:
            raise errors.operation_not_available(name)
        return parsed

    def _run(self, operation, session, requester, parsed, request_id: str, origin: str) -> dict:
        ctx = OperationContext(session=session, requester=requester, now=self.clock.now(),
                               request_id=request_id, settings=self.settings, origin=origin)
        result = operation.implementation(ctx, parsed)
        session.flush()
        return serialize_response(result)


def encode(payload: dict) -> bytes:
    """A response body: compact JSON, non-ASCII characters as UTF-8 (as AWS's services send them). What
    orjson refuses (a lone surrogate echoed back in an error about it, an integer beyond 64 bits) goes
    through the json module, which escapes every non-ASCII character."""
    try:
        return orjson.dumps(payload)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(payload, separators=(",", ":")).encode()


def _operation_name(headers: list[tuple[str, str]]) -> str | None:
    for key, value in headers:
        if key.lower() == "x-amz-target":
            prefix, _, name = value.strip().rpartition(".")
            return name if prefix + "." == TARGET_PREFIX else None
    return None
