"""The requester API under a seeded fuzzer driven by botocore's mturk model: for every operation, correctly
signed requests each carrying one defect, on SQLite and PostgreSQL. Every one must be refused with a 4xx in
AWS's envelope, of an error type the defect explains, and leave the database exactly as it was.

KEMPELEN_FUZZ_ITERATIONS sets the requests per operation and database (50 in the suite; `make fuzz` runs
thousands), KEMPELEN_FUZZ_SEED the seed. Counts per operation are printed and written as JSON.
"""

from __future__ import annotations

import json
import zlib

from tests.fuzz.driver import fuzzing
from tests.fuzz.report import EXTREME_ITERATIONS, SEED
from tests.fuzz.requester_cases import EXPECTED, OPERATIONS, Case, ExtremeGenerator, Generator
from tests.fuzz.signing import CONTENT_TYPE, Signer
from tests.fuzz.wire import Connection, Response


def check(case: Case, response: Response) -> str | None:
    """Why the answer is wrong for the case, or None."""
    status, headers = response.status, response.headers
    if not 400 <= status < 500:
        return f"status {status}"
    if headers.get("content-type") != CONTENT_TYPE or "x-amzn-requestid" not in headers:
        return f"headers {headers}"
    try:
        payload = json.loads(response.body)
    except ValueError:
        return f"not JSON: {response.body[:200]!r}"
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


def send(connection: Connection, case: Case) -> Response:
    return connection.request("POST", "/", case.headers, case.body, declared_length=case.declared_length)


def _signer(target) -> Signer:
    return Signer(target.keys["AccessKeyId"], target.keys["SecretAccessKey"], f"127.0.0.1:{target.server.port}")


def test_requester_api_refuses_every_bad_request(fuzz_target, capsys):
    with fuzzing(fuzz_target, "requester", capsys) as run:
        for operation in OPERATIONS:
            generator = Generator(zlib.crc32(f"{SEED}:{operation}".encode()), _signer(fuzz_target), fuzz_target.ids)
            run.refusals(operation, lambda: generator.case(operation), send, check)


def test_requester_api_survives_requests_at_the_models_edges(fuzz_target, capsys):
    """Valid for the model, extreme in every value: taken or refused, never a 5xx; a refusal changes nothing.
    (It changes the fuzz server's state, so it runs after the refusal fuzzer of its database.)"""
    with fuzzing(fuzz_target, "requester-extreme", capsys) as run:
        for operation in OPERATIONS:
            generator = ExtremeGenerator(zlib.crc32(f"{SEED}:extreme:{operation}".encode()), _signer(fuzz_target),
                                         fuzz_target.ids)
            run.takes_or_refuses(operation, EXTREME_ITERATIONS, lambda: generator.case(operation), send, check)
