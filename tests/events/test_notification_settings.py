"""UpdateNotificationSettings and SendTestEventNotification: what they refuse, and test messages."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from kempelen.testing.server import free_port
from event_checks import hit_type, parse, spec, subscribed_topic


def error_of(call, **params) -> tuple[str, str, str | None]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response.get("TurkErrorCode")


QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/my-queue"


def test_unknown_or_someone_elses_hit_type_does_not_exist(server, mturk):
    code, message, turk = error_of(mturk.update_notification_settings, HITTypeId="3NOSUCHTYPE" + "0" * 19,
                                   Notification=spec(QUEUE))
    assert (code, turk) == ("RequestError", "AWS.MechanicalTurk.HITTypeDoesNotExist")
    theirs = hit_type(server.client(server.create_requester()))
    code, message, turk = error_of(mturk.update_notification_settings, HITTypeId=theirs, Active=True)
    assert turk == "AWS.MechanicalTurk.HITTypeDoesNotExist" and theirs in message


def test_notification_or_active_is_required(mturk):
    code, message, _ = error_of(mturk.update_notification_settings, HITTypeId=hit_type(mturk))
    assert code == "RequestError" and "Notification or Active" in message


def test_active_alone_needs_an_existing_specification(mturk):
    type_id = hit_type(mturk)
    code, message, _ = error_of(mturk.update_notification_settings, HITTypeId=type_id, Active=True)
    assert code == "RequestError" and "no notification specification" in message
    mturk.update_notification_settings(HITTypeId=type_id, Notification=spec(QUEUE), Active=False)
    mturk.update_notification_settings(HITTypeId=type_id, Active=True)


def test_ping_is_not_an_event_type_a_hit_type_can_ask_for(mturk):
    code, message, turk = error_of(mturk.update_notification_settings, HITTypeId=hit_type(mturk),
                                   Notification=spec(QUEUE, events=["HITCreated", "Ping"]))
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue" and "Ping" in message


@pytest.mark.parametrize("transport, destination", [
    ("SQS", "not a url"),
    ("SQS", "https://sqs.us-east-1.amazonaws.com/only-a-name"),
    ("SQS", "arn:aws:sns:us-east-1:123456789012:topic"),
    ("SNS", QUEUE),
    ("SNS", "arn:aws:sqs:us-east-1:123456789012:queue"),
    ("Email", QUEUE),
    ("Email", "nobody"),
])
def test_the_destination_must_suit_the_transport(mturk, transport, destination):
    code, message, turk = error_of(mturk.update_notification_settings, HITTypeId=hit_type(mturk),
                                   Notification=spec(destination, transport=transport))
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue" and transport in message


def test_good_destinations_and_both_versions_are_accepted(mturk):
    type_id = hit_type(mturk)
    for destination, transport, version in [(QUEUE, "SQS", "2006-05-05"), (QUEUE, "SQS", "2014-08-15"),
                                            ("arn:aws:sns:eu-west-1:123456789012:mturk", "SNS", "2014-08-15"),
                                            ("requester@example.org", "Email", "2006-05-05")]:
        mturk.update_notification_settings(HITTypeId=type_id,
                                           Notification=spec(destination, transport=transport, version=version))


def test_an_unknown_version_is_refused(mturk):
    code, message, turk = error_of(mturk.update_notification_settings, HITTypeId=hit_type(mturk),
                                   Notification=spec(QUEUE, version="2017-01-17"))
    assert turk == "AWS.MechanicalTurk.InvalidParameterValue" and "Version" in message


def test_a_test_event_is_sent_at_once_whatever_the_spec_asks_for(mturk, queue):
    mturk.send_test_event_notification(Notification=spec(queue.url, events=["HITCreated"]),
                                       TestEventType="AssignmentSubmitted")
    (body,) = queue.wait_for(1)
    (event,) = parse(body)["Events"]
    assert event["EventType"] == "AssignmentSubmitted"
    assert {event["HITId"], event["AssignmentId"], event["HITTypeId"]} == {
        "3TESTHIT" + "0" * 22, "3TESTASSIGNMENT" + "0" * 15, "3TESTHITTYPE" + "0" * 18}


def test_ping_test_event_echoes_the_version(mturk, queue):
    mturk.send_test_event_notification(Notification=spec(queue.url, version="2006-05-05"), TestEventType="Ping")
    (body,) = queue.wait_for(1)
    assert [e["EventType"] for e in parse(body, version="2006-05-05")["Events"]] == ["Ping"]


def test_a_test_event_that_cannot_be_delivered_is_an_error(mturk):
    closed = f"http://127.0.0.1:{free_port()}/123456789012/nobody-listens"
    code, message, turk = error_of(mturk.send_test_event_notification, Notification=spec(closed),
                                   TestEventType="Ping")
    assert code == "RequestError" and closed in message


def test_a_test_event_to_a_missing_queue_is_an_error(mturk, moto):
    missing = f"{moto.endpoint}/123456789012/no-such-queue"
    code, message, _ = error_of(mturk.send_test_event_notification, Notification=spec(missing),
                                TestEventType="HITCreated")
    assert code == "RequestError" and "no-such-queue" in message


def test_a_test_event_through_sns(mturk, moto, queue):
    topic = subscribed_topic(moto, queue)
    mturk.send_test_event_notification(Notification=spec(topic, transport="SNS"), TestEventType="HITExpired")
    (envelope,) = queue.wait_for(1)
    envelope = json.loads(envelope)
    assert envelope["TopicArn"] == topic and envelope["Subject"].isdigit()
    assert [e["EventType"] for e in parse(envelope["Message"])["Events"]] == ["HITExpired"]


def test_a_test_event_by_email(mturk, mailbox):
    address = f"test-{hit_type(mturk).lower()}@example.org"
    mturk.send_test_event_notification(Notification=spec(address, transport="Email"), TestEventType="HITReviewable")
    (message,) = mailbox.to(address)  # sent before the call answered
    assert message["From"] == "mturk@kempelen.test"
    assert "HITReviewable" in message["Subject"]
    text = message.get_payload()
    assert "EventType: HITReviewable" in text and "HITTypeId: 3TESTHITTYPE" in text

