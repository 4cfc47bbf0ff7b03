"""Events through SNS (moto's, subscribed by an SQS queue) and by email (a real SMTP server)."""

from __future__ import annotations

import json
import time

from event_checks import events_of, hit, hit_type, spec, subscribed_topic


def test_events_published_to_an_sns_topic(mturk, workforce, moto, queue):
    topic = subscribed_topic(moto, queue)
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(topic, transport="SNS"))
    hit_id = hit(mturk, type_id)["HITId"]
    assignment = workforce.new().accept(hit_id)["AssignmentId"]
    queue.wait_for(2)
    envelopes = [json.loads(body) for body in queue.settle()]
    assert {envelope["TopicArn"] for envelope in envelopes} == {topic}
    events = events_of([envelope["Message"] for envelope in envelopes])
    assert sorted((e["EventType"], e.get("AssignmentId")) for e in events) == [
        ("AssignmentAccepted", assignment), ("HITCreated", None)]


def test_events_sent_by_email(mturk, workforce, mailbox):
    type_id = hit_type(mturk)
    address = f"{type_id.lower()}@example.org"
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(address, transport="Email"))
    hit_id = hit(mturk, type_id)["HITId"]
    worker = workforce.new()
    assignment = worker.accept(hit_id)["AssignmentId"]
    worker.submit(assignment, {"bird": "robin"})  # its only assignment: HITReviewable too
    messages = wait_for_mail(mailbox, address, 4)
    texts = [message.get_payload().splitlines() for message in messages]
    assert all(f"HITId: {hit_id}" in lines and f"HITTypeId: {type_id}" in lines for lines in texts)
    assert sum(f"AssignmentId: {assignment}" in lines for lines in texts) == 2
    kinds = sorted(line.split(": ")[1] for lines in texts for line in lines if line.startswith("EventType: "))
    assert kinds == ["AssignmentAccepted", "AssignmentSubmitted", "HITCreated", "HITReviewable"]
    assert all(message["Subject"].startswith("Amazon Mechanical Turk notification") for message in messages)
    assert all("EventDocVersion: 2014-08-15" in lines for lines in texts)


def wait_for_mail(mailbox, address: str, count: int, timeout: float = 20.0) -> list:
    deadline = time.monotonic() + timeout
    while len(mailbox.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)  # real time for the delivery thread, not service time
    assert len(mailbox.to(address)) == count, [m.get_payload() for m in mailbox.to(address)]
    return mailbox.to(address)
