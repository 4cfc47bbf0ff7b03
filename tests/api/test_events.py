"""Every change MTurk notified about lands in the outbox once, in order (read straight from the database:
delivery to SQS/SNS/email is tested where it is built)."""

from __future__ import annotations

from sqlalchemy import select

from kempelen.store.db import Database
from kempelen.store.models import Event
from helpers import create_hit


def outbox(server, hit_id):
    db = Database(server.database_url)
    try:
        with db.transaction(writes=False) as session:
            rows = session.scalars(select(Event).where(Event.hit_id == hit_id).order_by(Event.seq))
            return [(e.event_type, e.assignment_id) for e in rows]
    finally:
        db.dispose()


def test_a_hits_life_in_events(server, mturk, workforce, clock):
    hit = create_hit(mturk, MaxAssignments=2, LifetimeInSeconds=600, AssignmentDurationInSeconds=60,
                     AutoApprovalDelayInSeconds=3600)
    first, second = workforce.new(), workforce.new()
    a = first.accept(hit["HITId"])["AssignmentId"]
    b = second.accept(hit["HITId"])["AssignmentId"]
    first.submit(a, {"x": "1"})
    clock.advance(61)  # b is abandoned
    c_worker = workforce.new()
    c = c_worker.accept(hit["HITId"])["AssignmentId"]
    c_worker.return_(c)
    clock.advance(600)  # the HIT expires with a's submission in: Reviewable
    clock.advance(3600)  # a is auto-approved
    mturk.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=1)
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    mturk.delete_hit(HITId=hit["HITId"])
    assert outbox(server, hit["HITId"]) == [
        ("HITCreated", None), ("AssignmentAccepted", a), ("AssignmentAccepted", b), ("AssignmentSubmitted", a),
        ("AssignmentAbandoned", b), ("AssignmentAccepted", c), ("AssignmentReturned", c),
        ("HITExpired", None), ("HITReviewable", None), ("AssignmentApproved", a),
        # extending an expired HIT's assignments does not reopen it: it stays expired and Reviewable
        ("HITExtended", None),
        ("HITDisposed", None)]


def test_reviewable_when_the_last_assignment_is_submitted(server, mturk, workforce):
    hit = create_hit(mturk, MaxAssignments=1, AutoApprovalDelayInSeconds=0)
    worker = workforce.new()
    a = worker.accept(hit["HITId"])["AssignmentId"]
    worker.submit(a, {"x": "1"})
    assert outbox(server, hit["HITId"]) == [
        ("HITCreated", None), ("AssignmentAccepted", a), ("AssignmentSubmitted", a), ("AssignmentApproved", a),
        ("HITReviewable", None)]
    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    assert outbox(server, hit["HITId"])[-1] == ("HITExpired", None)
