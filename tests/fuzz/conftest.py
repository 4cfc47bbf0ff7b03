"""One live server per database for all the fuzzers (starting one costs seconds), seeded once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kempelen.testing import LiveServer
from tests.databases import database_url

EXTERNAL_QUESTION = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
                     '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/</ExternalURL>'
                     '<FrameHeight>0</FrameHeight></ExternalQuestion>')


@dataclass
class FuzzTarget:
    kind: str
    url: str
    server: LiveServer
    keys: dict[str, str]          # the requester the requester-API fuzzer signs as
    ids: dict[str, list[str]]     # member name -> ids that exist (requester API)
    seeds: dict[str, str]         # path parameter -> an id that exists (worker and admin routes)


def _seed(server: LiveServer) -> tuple[dict, dict, dict]:
    """A HIT with a submitted and an accepted assignment, a qualification type, a block, a ledger requester:
    ids to aim at, so that a request that got past validation would reach an operation's own rules."""
    keys = server.create_requester("fuzz")
    ledger = server.create_requester("fuzz ledger", mode="ledger", balance="10.00")
    mturk = server.client(keys)
    hit = mturk.create_hit(Title="fuzz", Description="d", Reward="0.10", AssignmentDurationInSeconds=600,
                           LifetimeInSeconds=3600, MaxAssignments=3, Question=EXTERNAL_QUESTION)["HIT"]
    workforce = server.workforce()
    submitter, worker = workforce.new(), workforce.new()
    submitted = submitter.accept(hit["HITId"])
    submitter.submit(submitted["AssignmentId"], {"answer": "x"})
    accepted = worker.accept(hit["HITId"])
    qualification = mturk.create_qualification_type(Name="fuzz type", Description="d",
                                                    QualificationTypeStatus="Active")["QualificationType"]
    mturk.create_worker_block(WorkerId="AFUZZBLOCKED", Reason="fuzz")
    from kempelen.requester_client import RequesterClient

    requester = RequesterClient(server.endpoint, keys["AccessKeyId"], keys["SecretAccessKey"])
    project = requester.create_project('<p>${word}</p><input name="answer">', {"Title": "fuzz project", "Description": "d",
                                                          "Reward": "0.05", "LifetimeInSeconds": 3600,
                                                          "AssignmentDurationInSeconds": 600})
    batch = requester.create_batch(project["HITLayoutId"], "word\nfuzz\n")
    ids = {"HITId": [hit["HITId"]], "HITTypeId": [hit["HITTypeId"]], "AssignmentId": [submitted["AssignmentId"]],
           "WorkerId": [submitter.worker_id, "AFUZZBLOCKED"], "WorkerIds": [submitter.worker_id],
           "QualificationTypeId": [qualification["QualificationTypeId"]]}
    seeds = {"worker_id": worker.worker_id, "worker_token": worker.token, "hit_id": hit["HITId"],
             "hit_type_id": hit["HITTypeId"], "assignment_id": accepted["AssignmentId"],
             "qualification_type_id": qualification["QualificationTypeId"], "access_key_id": ledger["AccessKeyId"],
             "question_identifier": "answer", "qualification_request_id": "3NOSUCHREQUEST", "key": "nokey",
             "hit_layout_id": project["HITLayoutId"], "batch_id": str(batch["BatchId"])}
    return keys, ids, seeds


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def fuzz_target(request):
    with database_url(request.param) as url, LiveServer(url) as server:
        keys, ids, seeds = _seed(server)
        yield FuzzTarget(request.param, url, server, keys, ids, seeds)
