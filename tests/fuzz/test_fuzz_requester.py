"""The requester API under a seeded fuzzer driven by botocore's mturk model: for every operation, correctly
signed requests each carrying one defect, on SQLite and PostgreSQL. Every one must be refused with a 4xx in
AWS's envelope, of an error type the defect explains, and leave the database exactly as it was.

KEMPELEN_FUZZ_ITERATIONS sets the requests per operation and database (100 in the suite; `make fuzz` runs
thousands), KEMPELEN_FUZZ_SEED the seed. Counts per operation are printed and written as JSON.
"""

from __future__ import annotations

import json
import time
import zlib

import pytest

from kempelen.testing import LiveServer
from tests.databases import database_url
from tests.fuzz.fingerprint import Fingerprinter
from tests.fuzz.report import FINGERPRINT_EVERY, ITERATIONS, SEED, Tally
from tests.fuzz.requester_cases import EXPECTED, OPERATIONS, Case, Generator
from tests.fuzz.signing import CONTENT_TYPE, Signer
from tests.fuzz.wire import Connection

EXTERNAL_QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
                     '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/</ExternalURL>'
                     '<FrameHeight>0</FrameHeight></ExternalQuestion>')


def seed_state(server: LiveServer) -> tuple[dict, dict[str, list[str]]]:
    """A requester with a HIT, a submitted assignment, a qualification type and a block: ids for the fuzzer
    to aim at, so that a request that got past validation would reach an operation's own rules."""
    keys = server.create_requester("fuzz")
    mturk = server.client(keys)
    hit = mturk.create_hit(Title="fuzz", Description="d", Reward="0.10", AssignmentDurationInSeconds=600,
                           LifetimeInSeconds=3600, MaxAssignments=2, Question=EXTERNAL_QUESTION)["HIT"]
    worker = server.workforce().new()
    assignment = worker.accept(hit["HITId"])
    worker.submit(assignment["AssignmentId"], {"answer": "x"})
    qualification = mturk.create_qualification_type(Name="fuzz type", Description="d",
                                                    QualificationTypeStatus="Active")["QualificationType"]
    mturk.create_worker_block(WorkerId="AFUZZBLOCKED", Reason="fuzz")
    return keys, {"HITId": [hit["HITId"]], "HITTypeId": [hit["HITTypeId"]],
                  "AssignmentId": [assignment["AssignmentId"]], "WorkerId": [worker.worker_id, "AFUZZBLOCKED"],
                  "WorkerIds": [worker.worker_id], "QualificationTypeId": [qualification["QualificationTypeId"]]}


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


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_requester_api_refuses_every_bad_request(kind, capsys):
    with database_url(kind) as url, LiveServer(url) as server:
        keys, ids = seed_state(server)
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
