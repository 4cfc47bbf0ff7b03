"""The requester API under a seeded fuzzer driven by botocore's mturk model: for every operation, correctly
signed requests each carrying one defect, on SQLite and PostgreSQL. Every one must be refused with a 4xx in
AWS's envelope, of an error type the defect explains, and leave the database exactly as it was.

KEMPELEN_FUZZ_ITERATIONS sets the requests per operation and database (80 in the suite; `make fuzz` runs
thousands), KEMPELEN_FUZZ_SEED the seed. Counts per operation are printed and written as JSON.
"""

from __future__ import annotations

import json
import time
import zlib

import pytest

from tests.fuzz.fingerprint import Fingerprinter
from tests.fuzz.report import EXTREME_ITERATIONS, FINGERPRINT_EVERY, ITERATIONS, SEED, Tally
from tests.fuzz.requester_cases import EXPECTED, OPERATIONS, Case, ExtremeGenerator, Generator
from tests.fuzz.signing import CONTENT_TYPE, Signer
from tests.fuzz.wire import Connection

def check(case: Case, status: int, headers: dict[str, str], body: bytes) -> str | None:
    """Why the answer is wrong for the case, or None."""
    if not 400 <= status < 500:
        return f"status {status}"
    if headers.get("content-type") != CONTENT_TYPE or "x-amzn-requestid" not in headers:
        return f"headers {headers}"
    try:
        payload = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:200]!r}"
    type_name = payload.get("__type", "")
    short = type_name.rpartition("#")[2]
    if short not in EXPECTED[case.kind]:
        return f"{type_name} for {case.kind}: {str(payload)[:300]}"
    message_key = "message" if "#" in type_name else "Message"
    if not isinstance(payload.get(message_key), str):
        return f"no {message_key}: {payload}"
    if short == "RequestError" and not payload.get("TurkErrorCode"):
        return f"no TurkErrorCode: {payload}"
    if case.kind == "oversized_body" and status != 413:
        return f"status {status} for an oversized body"
    return None


def test_requester_api_refuses_every_bad_request(fuzz_target, capsys):
    kind, url, server, keys, ids = (fuzz_target.kind, fuzz_target.url, fuzz_target.server, fuzz_target.keys,
                                    fuzz_target.ids)
    signer = Signer(keys["AccessKeyId"], keys["SecretAccessKey"], f"127.0.0.1:{server.port}")
    fingerprint = Fingerprinter(url)
    connection = Connection("127.0.0.1", server.port)
    tally = Tally(f"requester-{kind}")
    started = time.monotonic()
    try:
        expected = fingerprint()
        for operation in OPERATIONS:
            generator = Generator(zlib.crc32(f"{SEED}:{operation}".encode()), signer, ids)
            for number in range(1, ITERATIONS + 1):
                case = generator.case(operation)
                try:
                    response = connection.request("POST", "/", case.headers, case.body,
                                                  declared_length=case.declared_length)
                    problem = check(case, response.status, response.headers, response.body)
                    tally.add(operation, case.kind, response.status)
                except (ConnectionError, OSError) as exc:
                    problem = f"connection: {exc!r}"
                if problem:
                    tally.fail(f"{operation} {case.kind} {case.notes}: {problem}")
                if number % FINGERPRINT_EVERY == 0 or number == ITERATIONS:
                    tally.fingerprints += 1
                    if fingerprint() != expected:
                        tally.fail(f"{operation}: the database changed within requests up to #{number}")
                        expected = fingerprint()
    finally:
        connection.close()
        fingerprint.close()
    with capsys.disabled():
        print("\n" + tally.write(time.monotonic() - started))
    assert not tally.failures, "\n".join(tally.failures)
    assert "Traceback" not in server.log(), server.log()[-3000:]


def test_requester_api_survives_requests_at_the_models_edges(fuzz_target, capsys):
    """Valid for the model, extreme in every value: taken or refused, never a 5xx; a refusal changes nothing.
    (It changes the fuzz server's state, so it runs after the refusal fuzzers of its database.)"""
    kind, url, server, keys, ids = (fuzz_target.kind, fuzz_target.url, fuzz_target.server, fuzz_target.keys,
                                    fuzz_target.ids)
    signer = Signer(keys["AccessKeyId"], keys["SecretAccessKey"], f"127.0.0.1:{server.port}")
    fingerprint = Fingerprinter(url)
    connection = Connection("127.0.0.1", server.port)
    tally = Tally(f"requester-extreme-{kind}")
    started = time.monotonic()
    try:
        for operation in OPERATIONS:
            generator = ExtremeGenerator(zlib.crc32(f"{SEED}:extreme:{operation}".encode()), signer, ids)
            for _ in range(EXTREME_ITERATIONS):
                case = generator.case(operation)
                before = fingerprint()
                tally.fingerprints += 1
                try:
                    response = connection.request("POST", "/", case.headers, case.body)
                except (ConnectionError, OSError) as exc:
                    tally.fail(f"{operation}: connection: {exc!r}")
                    continue
                tally.add(operation, "taken" if response.status < 400 else "refused", response.status)
                if response.status < 400:
                    continue
                problem = check(case, response.status, response.headers, response.body)
                if problem is None and fingerprint() != before:
                    problem = "refused, yet the database changed"
                if problem:
                    tally.fail(f"{operation} {case.body[:200]!r}: {problem}")
    finally:
        connection.close()
        fingerprint.close()
    with capsys.disabled():
        print("\n" + tally.write(time.monotonic() - started))
    assert not tally.failures, "\n".join(tally.failures)
    assert "Traceback" not in server.log(), server.log()[-3000:]
