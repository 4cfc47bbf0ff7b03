"""Replicas: two `kempelen serve` processes on one PostgreSQL database, as several hosts behind a proxy run.

A HIT's whole life is split between the two (each call goes to one or the other), both run the sweeper and
the outbox deliverer, and every event still reaches the queue exactly once.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from event_checks import ALL_EVENTS, events_of, hit, hit_type, settled_deliveries, spec

from kempelen.testing import LiveServer
from tests.databases import drop, postgres_database


def test_two_servers_on_one_database_share_a_hit_life_and_deliver_each_event_once(delivery_settings, queue):
    admin, name, url = postgres_database()
    try:
        with LiveServer(url, env=delivery_settings) as a, LiveServer(url, env=delivery_settings) as b:
            # A manual clock lives in its process: the two are set to one instant and moved together.
            b.set_clock(a.now())
            credentials = a.create_requester()
            on_a, on_b = a.client(credentials), b.client(credentials)
            type_id = hit_type(on_a, duration=300)
            on_b.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url), Active=True)
            hit_id = hit(on_b, type_id, max_assignments=2)["HITId"]
            assert on_a.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Assignable"
            returner, good = a.workforce().new(), a.workforce().new()
            laggard, bad = b.workforce().new(), b.workforce().new()

            returned = returner.accept(hit_id)["AssignmentId"]
            returner.return_(returned)
            abandoned = laggard.accept(hit_id)["AssignmentId"]
            a.advance_clock(301)  # past the assignment's 300 s: both processes sweep the abandonment
            b.advance_clock(301)
            approved = good.accept(hit_id)["AssignmentId"]
            good.submit(approved, {"bird": "wren"})
            rejected = bad.accept(hit_id)["AssignmentId"]
            bad.submit(rejected, {"bird": "?"})  # both slots submitted: HITReviewable
            assert on_a.get_hit(HITId=hit_id)["HIT"]["HITStatus"] == "Reviewable"
            on_a.approve_assignment(AssignmentId=approved)
            on_b.reject_assignment(AssignmentId=rejected, RequesterFeedback="Not an answer.")
            on_a.create_additional_assignments_for_hit(HITId=hit_id, NumberOfAdditionalAssignments=1)
            on_b.update_expiration_for_hit(HITId=hit_id, ExpireAt=datetime(2015, 1, 1, tzinfo=timezone.utc))
            statuses = {row["AssignmentId"]: row["AssignmentStatus"]
                        for row in on_b.list_assignments_for_hit(HITId=hit_id)["Assignments"]}
            assert statuses == {approved: "Approved", rejected: "Rejected"}
            on_a.delete_hit(HITId=hit_id)

            expected = Counter({
                ("HITCreated", None): 1, ("HITExtended", None): 1, ("HITExpired", None): 1,
                ("HITDisposed", None): 1, ("HITReviewable", None): 2,
                ("AssignmentAccepted", returned): 1, ("AssignmentReturned", returned): 1,
                ("AssignmentAccepted", abandoned): 1, ("AssignmentAbandoned", abandoned): 1,
                ("AssignmentAccepted", approved): 1, ("AssignmentSubmitted", approved): 1,
                ("AssignmentApproved", approved): 1,
                ("AssignmentAccepted", rejected): 1, ("AssignmentSubmitted", rejected): 1,
                ("AssignmentRejected", rejected): 1,
            })
            queue.wait_for(sum(expected.values()))
            for server in (a, b):  # one record, seen alike from both
                sent = settled_deliveries(server, type_id)
                assert [row["Status"] for row in sent] == ["Delivered"] * sum(expected.values())
                assert all(row["Attempts"] == 1 for row in sent)
            events = events_of(queue.settle())  # settle() waits for stragglers: a duplicate would show here
            assert Counter((e["EventType"], e.get("AssignmentId")) for e in events) == expected
            assert {e["EventType"] for e in events} == set(ALL_EVENTS)
    finally:
        drop(admin, name)
