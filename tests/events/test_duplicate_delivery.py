"""A duplicate-notification fault: a delivered event is sent twice, as SQS's at-least-once delivery allows,
so consumers can prove they de-duplicate."""

from __future__ import annotations

from collections import Counter

from event_checks import events_of, hit, hit_type, spec


def test_a_duplicate_notification_rule_sends_the_named_events_twice(server, mturk, workforce, queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url), Active=True)
    with server.faulty({"kind": "duplicate-notification", "operations": ["AssignmentSubmitted"]}):
        hit_id = hit(mturk, type_id)["HITId"]
        worker = workforce.new()
        assignment = worker.accept(hit_id)["AssignmentId"]
        worker.submit(assignment, {"bird": "wren"})
        # HITCreated, AssignmentAccepted, AssignmentSubmitted twice, HITReviewable (its one slot is done)
        messages = queue.wait_for(5)
        rule, = server.faults()
    messages = queue.settle()
    events = events_of(messages)
    counts = Counter(e["EventType"] for e in events)
    assert counts == Counter({"HITCreated": 1, "AssignmentAccepted": 1, "AssignmentSubmitted": 2,
                               "HITReviewable": 1})
    twice = [m for m in messages if "AssignmentSubmitted" in m]
    assert len(twice) == 2 and twice[0] == twice[1]  # the same document, byte for byte
    assert rule["hits"] == 1
