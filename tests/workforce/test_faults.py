"""Faults on demand: boto3's retry modes ride through throttling and service faults as they did on MTurk,
and a faulted request changes nothing."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from kempelen.testing import LiveServer
from tests.api.helpers import create_hit


@pytest.fixture(scope="module")
def live():
    """A server of its own: fault rules hold for the whole process."""
    with LiveServer() as server:
        yield server


@pytest.fixture
def credentials(live):
    return live.create_requester()


@pytest.fixture(autouse=True)
def no_faults_after(live):
    yield
    live.set_faults()


def _client(live, credentials, mode: str, attempts: int):
    return live.client(credentials, config=Config(retries={"mode": mode, "total_max_attempts": attempts}))


def test_faults_are_off_by_default(live):
    assert live.faults() == []


def test_a_throttled_request_is_answered_as_aws_throttles(live, credentials):
    live.set_faults({"kind": "throttle"})
    request = urllib.request.Request(live.endpoint + "/", data=b"{}", method="POST", headers={
        "X-Amz-Target": "MTurkRequesterServiceV20170117.GetAccountBalance",
        "Content-Type": "application/x-amz-json-1.1"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    response = caught.value
    assert response.code == 400
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-RequestId"]
    assert json.loads(response.read()) == {"__type": "com.amazon.coral.availability#ThrottlingException",
                                           "message": "Rate exceeded"}


def test_without_retries_boto3_raises_throttling_exception_and_nothing_is_created(live, credentials):
    mturk = _client(live, credentials, "standard", 1)
    before = mturk.list_hits()["NumResults"]
    live.set_faults({"kind": "throttle", "operations": ["CreateHIT"]})
    with pytest.raises(ClientError) as caught:
        create_hit(mturk)
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("ThrottlingException", "Rate exceeded")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert mturk.list_hits()["NumResults"] == before  # only CreateHIT is throttled, and it changed nothing


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_boto3_retry_modes_ride_through_throttling(live, credentials, mode):
    mturk = _client(live, credentials, mode, 5)
    live.set_faults({"kind": "throttle", "operations": ["CreateHIT", "GetHIT"], "share": 0.5})
    retries = 0
    made = []
    for _ in range(3):
        response = mturk.create_hit(**_hit_params())
        retries += response["ResponseMetadata"]["RetryAttempts"]
        made.append(response["HIT"]["HITId"])
        got = mturk.get_hit(HITId=made[-1])
        retries += got["ResponseMetadata"]["RetryAttempts"]
    rule, = live.faults()
    assert rule["hits"] == retries > 0  # every throttled request was retried, none got through to the caller
    assert rule["seen"] == 6 + retries
    listed = {h["HITId"] for h in mturk.list_hits()["HITs"]}
    assert set(made) <= listed and len(made) == 3  # each HIT created once, not once per attempt


def test_boto3_retries_a_service_fault(live, credentials):
    mturk = _client(live, credentials, "standard", 3)
    hit_id = create_hit(mturk)["HITId"]
    live.set_faults({"kind": "service-fault", "operations": ["GetHIT"], "count": 2})
    response = mturk.get_hit(HITId=hit_id)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    live.set_faults({"kind": "service-fault", "operations": ["GetHIT"]})
    with pytest.raises(ClientError) as caught:
        _client(live, credentials, "standard", 2).get_hit(HITId=hit_id)
    assert caught.value.response["Error"]["Code"] == "ServiceFault"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert caught.value.response["TurkErrorCode"] == "AWS.ServiceUnavailable"


def test_latency_delays_only_the_operations_named(live, credentials):
    mturk = _client(live, credentials, "standard", 1)
    mturk.get_account_balance()
    live.set_faults({"kind": "latency", "operations": ["GetAccountBalance"], "latency_ms": 400})
    started = time.monotonic()
    assert mturk.get_account_balance()["AvailableBalance"] == "10000.00"
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    mturk.list_hits(MaxResults=1)
    assert time.monotonic() - started < 0.4


def test_a_random_share_is_reproducible_with_a_seed(live, credentials):
    mturk = _client(live, credentials, "standard", 1)
    outcomes = []
    for _ in range(2):
        live.set_faults({"kind": "throttle", "operations": ["GetAccountBalance"], "share": 0.3, "seed": 5})
        run = []
        for _ in range(20):
            try:
                mturk.get_account_balance()
                run.append(True)
            except ClientError:
                run.append(False)
        outcomes.append(run)
    assert outcomes[0] == outcomes[1] and 0 < outcomes[0].count(False) < 20


@pytest.mark.parametrize("rule", [{"kind": "explode"}, {"kind": "throttle", "share": 2},
                                  {"kind": "latency"}, {"kind": "throttle", "count": 0}])
def test_bad_rules_are_refused_and_change_nothing(live, rule):
    live.set_faults({"kind": "throttle", "operations": ["GetHIT"]})
    with pytest.raises(urllib.error.HTTPError) as caught:
        live.set_faults(rule)
    assert caught.value.code in (400, 422)
    assert [r["operations"] for r in live.faults()] == [["GetHIT"]]


def _hit_params() -> dict:
    from tests.api.helpers import EXTERNAL_QUESTION, HIT_PROPERTIES

    return {**HIT_PROPERTIES, "MaxAssignments": 1, "Question": EXTERNAL_QUESTION}
