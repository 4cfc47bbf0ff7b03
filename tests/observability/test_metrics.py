"""/metrics after real traffic: requests and latency per operation and status, and the state read from the
database (outbox backlog, failed deliveries, open assignments, the sweeper's lag)."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from kempelen.store import gauges
from kempelen.store.db import Database
from kempelen.testing import LiveServer
from kempelen.testing.server import free_port

QUESTION = """<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd">
  <Question><QuestionIdentifier>animal</QuestionIdentifier>
    <QuestionContent><Text>Which animal?</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question>
</QuestionForm>"""


def scrape(server) -> dict[tuple[str, tuple], float]:
    """Every sample: (name, sorted labels) -> value."""
    with urllib.request.urlopen(f"{server.endpoint}/metrics", timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def requests(samples, operation: str, status: int) -> float:
    return samples.get(("kempelen_requests_total", (("operation", operation), ("status", str(status)))), 0.0)


def latency_count(samples, operation: str, status: int) -> float:
    return samples.get(("kempelen_request_duration_seconds_count",
                        (("operation", operation), ("status", str(status)))), 0.0)


def create_hit(mturk, **extra) -> dict:
    return mturk.create_hit(Title="Label", Description="Which animal?", Reward="0.05", MaxAssignments=2,
                            AssignmentDurationInSeconds=600, LifetimeInSeconds=3600, Question=QUESTION,
                            **extra)["HIT"]


def test_requests_are_counted_per_operation_and_status(server, mturk, workforce):
    before = scrape(server)
    for _ in range(3):
        mturk.get_account_balance()
    for _ in range(2):
        with pytest.raises(ClientError):
            mturk.get_hit(HITId="3NOSUCHHIT" + "0" * 20)
    worker = workforce.new()
    worker.hits()
    after = scrape(server)

    assert requests(after, "GetAccountBalance", 200) - requests(before, "GetAccountBalance", 200) == 3
    assert requests(after, "GetHIT", 400) - requests(before, "GetHIT", 400) == 2
    assert latency_count(after, "GetHIT", 400) - latency_count(before, "GetHIT", 400) == 2
    assert requests(after, "GET /api/worker/hits", 200) - requests(before, "GET /api/worker/hits", 200) >= 1
    # the scrape before this one is itself counted, under its route
    assert requests(after, "GET /metrics", 200) >= 1


def test_made_up_targets_share_one_label(server):
    body = b"{}"
    for target in ("MTurkRequesterServiceV20170117.NoSuchOperation", "x.AnotherMadeUpOne"):
        request = urllib.request.Request(server.endpoint + "/", data=body, method="POST", headers={
            "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=30)
    labels = {dict(labels).get("operation") for (name, labels) in scrape(server) if name == "kempelen_requests_total"}
    assert "(unknown operation)" in labels
    assert not {"NoSuchOperation", "AnotherMadeUpOne"} & labels


@pytest.fixture(scope="module")
def own_server():
    """A server of its own, so the state gauges count only this module's rows."""
    with LiveServer() as live:
        yield live


def test_state_gauges_follow_the_database(own_server):
    server = own_server
    mturk = server.client(server.create_requester())
    closed = free_port()  # nothing listens there: every delivery attempt fails
    hit = create_hit(mturk)
    mturk.update_notification_settings(HITTypeId=hit["HITTypeId"], Active=True, Notification={
        "Destination": f"http://127.0.0.1:{closed}/123456789012/events", "Transport": "SQS",
        "Version": "2014-08-15", "EventTypes": ["AssignmentAccepted"]})
    workers = server.workforce()
    first, second = workers.new(), workers.new()
    first.accept(hit["HITId"])
    second.accept(hit["HITId"])
    server.admin("POST", "/_kempelen/notifications/flush")

    samples = scrape(server)
    assert samples[("kempelen_open_assignments", ())] == 2
    assert samples[("kempelen_outbox_backlog", ())] == 2
    assert samples[("kempelen_notification_delivery_failures_total", ())] == 2
    assert samples[("kempelen_sweeper_lag_seconds", ())] == 0

    server.admin("POST", "/_kempelen/clock", {"advance_seconds": 601})  # past the duration: both abandoned
    assert scrape(server)[("kempelen_open_assignments", ())] == 0


def test_the_sweeper_lag_is_the_age_of_the_oldest_unwritten_transition(own_server):
    server = own_server
    mturk = server.client(server.create_requester())
    hit = create_hit(mturk)
    assignment = server.workforce().new().accept(hit["HITId"])
    db = Database(server.database_url)
    try:
        with db.transaction(writes=False) as session:
            now = server.now()
            # Seen from 100 s after the deadline, before any sweep: 100 s behind.
            deadline = now + timedelta(seconds=600)
            assert gauges.read(session, now).sweeper_lag_seconds == 0
            assert gauges.read(session, deadline + timedelta(seconds=100)).sweeper_lag_seconds == \
                pytest.approx(100, abs=1)
    finally:
        db.dispose()
    assert assignment["AssignmentId"]
