"""The worker, admin and file routes under a seeded fuzzer generated from openapi/kempelen.json, on SQLite and
PostgreSQL: every request carries one defect and must be refused with a 4xx in ``{"Error": {"Code",
"Message"}}`` (a 4xx page for the worker-site pages), leaving the database exactly as it was.
KEMPELEN_FUZZ_ITERATIONS and KEMPELEN_FUZZ_SEED as for the requester API's fuzzer."""

from __future__ import annotations

import json
import zlib

from tests.fuzz.driver import fuzzing
from tests.fuzz.report import EXTREME_ITERATIONS, SEED
from tests.fuzz.signing import Signer
from tests.fuzz.web_cases import Case, ExtremeGenerator, Generator, is_envelope, routes
from tests.fuzz.wire import Connection, Response


def check(case: Case, response: Response) -> str | None:
    status, headers, body = response.status, response.headers, response.body
    if not 400 <= status < 500:
        return f"status {status}: {body[:300]!r}"
    if case.kind == "oversized_body" and status != 413:
        return f"status {status} for an oversized body"
    if case.route.html and headers.get("content-type", "").startswith("text/html"):
        return None  # a worker-site page refuses with a page
    if not headers.get("content-type", "").startswith("application/json"):
        return f"content-type {headers.get('content-type')}: {body[:200]!r}"
    try:
        payload = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    return None if is_envelope(payload) else f"not the envelope: {str(payload)[:300]}"


def _signer(target) -> Signer:
    return Signer(target.keys["AccessKeyId"], target.keys["SecretAccessKey"], f"127.0.0.1:{target.server.port}")


def send(connection: Connection, case: Case) -> Response:
    method = "PATCH" if case.kind == "unknown_method" else case.route.method
    return connection.request(method, case.path, case.headers, case.body, declared_length=case.declared_length)


def test_web_routes_refuse_every_bad_request(fuzz_target, capsys):
    with fuzzing(fuzz_target, "web", capsys) as run:
        for route in routes():
            name = f"{route.method} {route.template}"
            generator = Generator(zlib.crc32(f"{SEED}:{name}".encode()), fuzz_target.seeds,
                                  fuzz_target.server.admin_token, _signer(fuzz_target))
            run.refusals(name, lambda: generator.case(route), send, check)


def test_web_routes_survive_requests_at_the_edges(fuzz_target, capsys):
    """Good credentials, existing ids, every value at an edge: taken or refused, never a 5xx; a refusal changes
    nothing. Runs last for its database: what it takes changes the server's state (even its clock)."""
    with fuzzing(fuzz_target, "web-extreme", capsys) as run:
        for route in routes():
            if route.multipart or route.html or route.template.endswith("externalSubmit"):
                continue
            name = f"{route.method} {route.template}"
            generator = ExtremeGenerator(zlib.crc32(f"{SEED}:extreme:{name}".encode()), fuzz_target.seeds,
                                         fuzz_target.server.admin_token, _signer(fuzz_target))
            run.takes_or_refuses(name, EXTREME_ITERATIONS, lambda: generator.case(route), send, check)
