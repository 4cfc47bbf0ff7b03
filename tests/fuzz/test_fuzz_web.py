"""The worker, admin and file routes under a seeded fuzzer generated from openapi/kempelen.json, on SQLite and
PostgreSQL: every request carries one defect and must be refused with a 4xx in ``{"Error": {"Code",
"Message"}}`` (a 4xx page for the worker-site pages), leaving the database exactly as it was.
KEMPELEN_FUZZ_ITERATIONS and KEMPELEN_FUZZ_SEED as for the requester API's fuzzer."""

from __future__ import annotations

import json
import time
import zlib

from tests.fuzz.fingerprint import Fingerprinter
from tests.fuzz.report import FINGERPRINT_EVERY, ITERATIONS, SEED, Tally
from tests.fuzz.web_cases import Case, Generator, is_envelope, routes
from tests.fuzz.wire import Connection


def check(case: Case, status: int, headers: dict[str, str], body: bytes) -> str | None:
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


def test_web_routes_refuse_every_bad_request(fuzz_target, capsys):
    kind, url, server, seeds = fuzz_target.kind, fuzz_target.url, fuzz_target.server, fuzz_target.seeds
    fingerprint = Fingerprinter(url)
    connection = Connection("127.0.0.1", server.port)
    tally = Tally(f"web-{kind}")
    started = time.monotonic()
    try:
        expected = fingerprint()
        for route in routes():
            name = f"{route.method} {route.template}"
            generator = Generator(zlib.crc32(f"{SEED}:{name}".encode()), seeds, server.admin_token)
            for number in range(1, ITERATIONS + 1):
                case = generator.case(route)
                method = "PATCH" if case.kind == "unknown_method" else route.method
                try:
                    response = connection.request(method, case.path, case.headers, case.body,
                                                  declared_length=case.declared_length)
                    problem = check(case, response.status, response.headers, response.body)
                    tally.add(name, case.kind, response.status)
                except (ConnectionError, OSError) as exc:
                    problem = f"connection: {exc!r}"
                if problem:
                    tally.fail(f"{name} {case.kind} {case.notes} {case.path[:80]}: {problem}")
                if number % FINGERPRINT_EVERY == 0 or number == ITERATIONS:
                    tally.fingerprints += 1
                    if fingerprint() != expected:
                        tally.fail(f"{name}: the database changed within requests up to #{number}")
                        expected = fingerprint()
    finally:
        connection.close()
        fingerprint.close()
    with capsys.disabled():
        print("\n" + tally.write(time.monotonic() - started))
    assert not tally.failures, "\n".join(tally.failures)
    assert "Traceback" not in server.log(), server.log()[-3000:]
