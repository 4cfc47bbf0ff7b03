"""A destination that is down: deliveries wait, are retried with growing delays, and arrive once it is up,
even across a restart of the server process."""

from __future__ import annotations

import time
from datetime import timedelta

from kempelen.config import Settings
from kempelen.events.delivery import MAX_BACKOFF, backoff
from kempelen.testing import LiveServer
from event_checks import deliveries, events_of, hit, hit_type, settled_deliveries, spec


def wait_for_attempts(server, hit_type_id: str, attempts: int, timeout: float = 20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = deliveries(server, hit_type_id)
        if rows and all(row["Attempts"] >= attempts for row in rows):
            return rows
        time.sleep(0.05)  # real time for the delivery thread, not service time
    raise AssertionError(f"not attempted {attempts} times: {deliveries(server, hit_type_id)}")


def test_a_destination_that_is_down_is_retried_until_it_is_up(server, mturk, late_queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(late_queue.url, events=["HITCreated"]))
    hit_id = hit(mturk, type_id)["HITId"]
    (row,) = wait_for_attempts(server, type_id, 3)
    assert row["Status"] == "Pending" and row["DeliveredAt"] is None
    assert row["LastError"] and row["NextAttemptAt"]
    queue = late_queue.come_up()
    queue.wait_for(1)
    assert [e["HITId"] for e in events_of(queue.settle())] == [hit_id]  # once, however many attempts
    (row,) = settled_deliveries(server, type_id)
    assert row["Status"] == "Delivered" and row["Attempts"] >= 4 and row["DeliveredAt"]
    assert row["LastError"]  # the last failure stays on record


def test_flush_attempts_pending_deliveries_at_once(server, mturk, late_queue):
    type_id = hit_type(mturk)
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(late_queue.url, events=["HITCreated"]))
    hit(mturk, type_id)
    wait_for_attempts(server, type_id, 1)
    queue = late_queue.come_up()
    result = server.admin("POST", "/_kempelen/notifications/flush")
    assert result["Failed"] == 0
    assert deliveries(server, type_id)[0]["Status"] == "Delivered"  # sent before flush answered
    assert len(queue.wait_for(1)) == 1


def test_retry_delays_double_up_to_a_cap():
    settings = Settings(delivery_retry_seconds=5.0)
    assert [backoff(settings, n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert backoff(settings, 40) == MAX_BACKOFF == timedelta(hours=1)


def test_pending_events_survive_a_restart(database_url, delivery_settings, late_queue):
    first = LiveServer(database_url, env=delivery_settings).start()
    try:
        requester = first.create_requester()
        mturk = first.client(requester)
        type_id = hit_type(mturk)
        mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(late_queue.url))
        hit_id = hit(mturk, type_id)["HITId"]
        assignment = first.workforce().new().accept(hit_id)["AssignmentId"]
        assert {row["Status"] for row in wait_for_attempts(first, type_id, 1)} == {"Pending"}
    finally:
        first.stop()  # with both events undelivered

    queue = late_queue.come_up()
    with LiveServer(database_url, env=delivery_settings) as second:
        queue.wait_for(2)
        events = events_of(queue.settle())
        assert sorted((e["EventType"], e.get("AssignmentId")) for e in events) == [
            ("AssignmentAccepted", assignment), ("HITCreated", None)]
        assert {row["Status"] for row in settled_deliveries(second, type_id)} == {"Delivered"}


def test_two_server_processes_send_each_event_once(database_url, delivery_settings, queue):
    first = LiveServer(database_url, env=delivery_settings).start()
    try:
        with LiveServer(database_url, env=delivery_settings) as second:
            mturk = first.client(first.create_requester())
            type_id = hit_type(mturk)
            mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(queue.url))
            hit_ids = [hit(mturk, type_id)["HITId"] for _ in range(12)]
            queue.wait_for(len(hit_ids))
            rows = settled_deliveries(second, type_id)
            assert sorted(e["HITId"] for e in events_of(queue.settle())) == sorted(hit_ids)
            assert [(row["Status"], row["Attempts"]) for row in rows] == [("Delivered", 1)] * len(hit_ids)
    finally:
        first.stop()
