"""What every notification message must look like (spec: mturk-formats §10.2), and small builders."""

from __future__ import annotations

import json
import re
import time

ASSIGNMENT_EVENTS = ["AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned", "AssignmentSubmitted",
                     "AssignmentRejected", "AssignmentApproved"]
HIT_EVENTS = ["HITCreated", "HITExpired", "HITReviewable", "HITExtended", "HITDisposed"]
ALL_EVENTS = ASSIGNMENT_EVENTS + HIT_EVENTS

ENTITY_ID = re.compile(r"^[0-9A-Z]{30}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

EXTERNAL_QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL>'
    '<FrameHeight>400</FrameHeight></ExternalQuestion>')


def hit_type(mturk, duration: int = 300) -> str:
    return mturk.create_hit_type(Title="Name the bird", Description="Which bird is in the photo?",
                                 Reward="0.05", AssignmentDurationInSeconds=duration,
                                 AutoApprovalDelayInSeconds=86400)["HITTypeId"]


def hit(mturk, hit_type_id: str, max_assignments: int = 1) -> dict:
    return mturk.create_hit_with_hit_type(HITTypeId=hit_type_id, MaxAssignments=max_assignments,
                                          LifetimeInSeconds=3600, Question=EXTERNAL_QUESTION)["HIT"]


def spec(destination: str, transport: str = "SQS", events=None, version: str = "2014-08-15") -> dict:
    return {"Destination": destination, "Transport": transport, "Version": version,
            "EventTypes": list(events or ALL_EVENTS)}


def parse(body: str, version: str = "2014-08-15") -> dict:
    """The event document, after checking its exact shape; returns it parsed."""
    doc = json.loads(body)
    assert list(doc) == ["Events", "EventDocId", "SourceAccount", "CustomerId", "EventDocVersion"]
    assert re.fullmatch(r"[0-9a-f]{40}", doc["EventDocId"])
    assert re.fullmatch(r"\d{12}", doc["SourceAccount"])
    assert re.fullmatch(r"A[0-9A-Z]+", doc["CustomerId"])
    assert doc["EventDocVersion"] == version
    assert doc["Events"], doc
    for event in doc["Events"]:
        with_assignment = event["EventType"].startswith("Assignment")
        keys = ["EventType", "EventTimestamp", "HITId"] + (["AssignmentId"] if with_assignment else []) + ["HITTypeId"]
        assert list(event) == keys, event
        assert TIMESTAMP.match(event["EventTimestamp"]), event
        assert all(ENTITY_ID.match(event[key]) for key in keys[2:]), event
    return doc


def events_of(bodies: list[str], **parse_options) -> list[dict]:
    return [event for body in bodies for event in parse(body, **parse_options)["Events"]]


def subscribed_topic(moto, queue) -> str:
    """An SNS topic on moto whose messages land in the queue (in SNS's JSON envelope)."""
    sqs, sns = moto.client("sqs"), moto.client("sns")
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=queue.url.rsplit("/", 1)[1])["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic


def deliveries(server, hit_type_id: str) -> list[dict]:
    """The server's record of a HIT type's notifications (admin route)."""
    return server.admin("GET", f"/_kempelen/notifications/deliveries?hit_type_id={hit_type_id}")["Deliveries"]


def settled_deliveries(server, hit_type_id: str, timeout: float = 20.0) -> list[dict]:
    """The record once nothing is pending: a message can arrive just before its row is marked Delivered."""
    deadline = time.monotonic() + timeout
    while True:
        rows = deliveries(server, hit_type_id)
        if all(row["Status"] != "Pending" for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)  # real time for the delivery thread, not service time
