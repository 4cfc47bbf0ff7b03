"""Events reach a real SQS queue (moto's server) in MTurk's 2014-08-15 document, as a HIT lives its life."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from event_checks import ALL_EVENTS, events_of, hit, hit_type, parse, settled_deliveries, spec


def test_every_event_type_arrives_in_the_queue(server, mturk, workforce, clock, queue):
    type_id = hit_type(mturk, duration=300)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url), Active=True)
    created = hit(mturk, type_id, max_assignments=2)
    hit_id = created["HITId"]
    returner, laggard, good, bad = (workforce.new() for _ in range(4))

    returned = returner.accept(hit_id)["AssignmentId"]
    returner.return_(returned)
    abandoned = laggard.accept(hit_id)["AssignmentId"]
    abandoned_at = clock.advance(301)  # past the 300 s the assignment allows
    approved = good.accept(hit_id)["AssignmentId"]
    good.submit(approved, {"bird": "wren"})
    rejected = bad.accept(hit_id)["AssignmentId"]
    bad.submit(rejected, {"bird": "?"})  # both slots submitted: HITReviewable
    mturk.approve_assignment(AssignmentId=approved)
    mturk.reject_assignment(AssignmentId=rejected, RequesterFeedback="Not an answer.")
    mturk.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=1)  # HITExtended
    mturk.update_expiration_for_hit(HITId=hit_id, ExpireAt=datetime(2015, 1, 1, tzinfo=timezone.utc))
    mturk.delete_hit(HITId=hit_id)

    expected = Counter({
        ("HITCreated", None): 1, ("HITExtended", None): 1, ("HITExpired", None): 1, ("HITDisposed", None): 1,
        # once when both slots were submitted, once more after the extension reopened it and it expired
        ("HITReviewable", None): 2,
        ("AssignmentAccepted", returned): 1, ("AssignmentReturned", returned): 1,
        ("AssignmentAccepted", abandoned): 1, ("AssignmentAbandoned", abandoned): 1,
        ("AssignmentAccepted", approved): 1, ("AssignmentSubmitted", approved): 1,
        ("AssignmentApproved", approved): 1,
        ("AssignmentAccepted", rejected): 1, ("AssignmentSubmitted", rejected): 1,
        ("AssignmentRejected", rejected): 1,
    })
    queue.wait_for(sum(expected.values()))
    sent = settled_deliveries(server, type_id)
    assert [row["Status"] for row in sent] == ["Delivered"] * sum(expected.values())
    assert all(row["Attempts"] == 1 for row in sent)
    events = events_of(queue.settle())
    assert Counter((e["EventType"], e.get("AssignmentId")) for e in events) == expected
    assert {e["EventType"] for e in events} == set(ALL_EVENTS)
    assert {(e["HITId"], e["HITTypeId"]) for e in events} == {(hit_id, type_id)}
    by_kind = {(e["EventType"], e.get("AssignmentId")): e["EventTimestamp"] for e in events}
    assert by_kind[("HITCreated", None)] == created["CreationTime"].strftime("%Y-%m-%dT%H:%M:%SZ")
    # an abandonment is dated at the deadline it missed, not when the sweeper noticed
    assert by_kind[("AssignmentAbandoned", abandoned)] <= abandoned_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_one_message_per_event_with_its_own_doc_id_and_the_requesters_customer_id(mturk, workforce, queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url))
    hit_id = hit(mturk, type_id)["HITId"]
    workforce.new().accept(hit_id)
    docs = [parse(body) for body in queue.wait_for(2)]
    assert [len(doc["Events"]) for doc in docs] == [1, 1]
    assert docs[0]["EventDocId"] != docs[1]["EventDocId"]
    assert docs[0]["CustomerId"] == docs[1]["CustomerId"]
    assert docs[0]["SourceAccount"] == docs[1]["SourceAccount"]


def test_only_the_event_types_asked_for_are_sent(mturk, workforce, queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url, events=["AssignmentReturned"]))
    hit_id = hit(mturk, type_id)["HITId"]
    worker = workforce.new()
    assignment = worker.accept(hit_id)["AssignmentId"]
    worker.return_(assignment)
    queue.wait_for(1)
    assert [(e["EventType"], e["AssignmentId"]) for e in events_of(queue.settle())] == [
        ("AssignmentReturned", assignment)]


def test_events_of_other_hit_types_and_before_the_setting_are_not_sent(mturk, queue):
    type_id, other_type = hit_type(mturk), hit_type(mturk, duration=301)
    before = hit(mturk, type_id)["HITId"]
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url))
    hit(mturk, other_type)
    after = hit(mturk, type_id)["HITId"]
    queue.wait_for(1)
    assert [e["HITId"] for e in events_of(queue.settle())] == [after]
    assert before != after


def test_inactive_setting_sends_nothing_and_reactivating_keeps_the_specification(mturk, queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url, events=["HITCreated"]))
    mturk.update_notification_settings(HITTypeId=type_id, Active=False)
    silent = hit(mturk, type_id)["HITId"]
    mturk.update_notification_settings(HITTypeId=type_id, Active=True)
    heard = hit(mturk, type_id)["HITId"]
    queue.wait_for(1)
    assert [e["HITId"] for e in events_of(queue.settle())] == [heard]
    assert silent != heard


def test_a_new_specification_replaces_the_old_one(mturk, moto, queue):
    old_queue = moto.client("sqs").create_queue(QueueName=f"old-{queue.url.rsplit('/', 1)[1]}")["QueueUrl"]
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(old_queue))
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url, events=["HITCreated"]))
    hit_id = hit(mturk, type_id)["HITId"]
    queue.wait_for(1)
    assert [e["HITId"] for e in events_of(queue.settle())] == [hit_id]
    leftover = moto.client("sqs").receive_message(QueueUrl=old_queue, WaitTimeSeconds=1)
    assert leftover.get("Messages", []) == []


def test_the_configured_version_is_echoed(mturk, queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id,
                                       Notification=spec(queue.url, events=["HITCreated"], version="2006-05-05"))
    hit(mturk, type_id)
    (body,) = queue.wait_for(1)
    assert parse(body, version="2006-05-05")["EventDocVersion"] == "2006-05-05"
