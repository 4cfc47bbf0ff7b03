"""The event document MTurk sent (EventDocVersion 2014-08-15), and its plain-text form for email; and the
queued form of a NotifyWorkers message mailed to a worker.

Key order follows real deliveries: Events[{EventType, EventTimestamp, HITId, AssignmentId, HITTypeId}],
EventDocId, SourceAccount, CustomerId, EventDocVersion. AssignmentId appears only on assignment events.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timezone

VERSIONS = ("2006-05-05", "2014-08-15")

# SendTestEventNotification has no real HIT behind it: placeholders of the real shape (30 of [0-9A-Z]),
# recognisable at a glance.
TEST_HIT_ID = "3TESTHIT".ljust(30, "0")
TEST_ASSIGNMENT_ID = "3TESTASSIGNMENT".ljust(30, "0")
TEST_HIT_TYPE_ID = "3TESTHITTYPE".ljust(30, "0")


def timestamp(at: datetime) -> str:
    """UTC, whole seconds, as MTurk wrote EventTimestamp."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def source_account(access_key_id: str) -> str:
    """The 12-digit AWS account id real messages carry: Kempelen has no AWS accounts, so a stable one is
    derived from the requester's access key."""
    return str(int(hashlib.sha256(access_key_id.encode()).hexdigest(), 16) % 10**12).zfill(12)


def event_entry(event_type: str, at: datetime, hit_id: str, hit_type_id: str,
                assignment_id: str | None) -> dict:
    entry = {"EventType": event_type, "EventTimestamp": timestamp(at), "HITId": hit_id}
    if assignment_id is not None:
        entry["AssignmentId"] = assignment_id
    entry["HITTypeId"] = hit_type_id
    return entry


def document(events: list[dict], *, access_key_id: str, customer_id: str, version: str) -> str:
    """The message body: a fresh EventDocId (for consumers' de-duplication), the version as configured."""
    return json.dumps({"Events": events, "EventDocId": secrets.token_hex(20),
                       "SourceAccount": source_account(access_key_id), "CustomerId": customer_id,
                       "EventDocVersion": version}, separators=(",", ":"))


def test_document(event_type: str, at: datetime, *, access_key_id: str, customer_id: str, version: str) -> str:
    assignment_id = TEST_ASSIGNMENT_ID if event_type.startswith("Assignment") else None
    entry = event_entry(event_type, at, TEST_HIT_ID, TEST_HIT_TYPE_ID, assignment_id)
    return document([entry], access_key_id=access_key_id, customer_id=customer_id, version=version)


def email_text(body: str) -> tuple[str, str]:
    """(subject, plain-text body) listing each event's fields, one "Name: value" per line."""
    doc = json.loads(body)
    events = doc["Events"]
    kinds = ", ".join(sorted({event["EventType"] for event in events}))
    subject = f"Amazon Mechanical Turk notification: {kinds}"
    lines = [f"Notification for customer {doc['CustomerId']}: {len(events)} event(s).", ""]
    for event in events:
        lines += [f"{name}: {value}" for name, value in event.items()] + [""]
    lines += [f"EventDocId: {doc['EventDocId']}", f"EventDocVersion: {doc['EventDocVersion']}"]
    return subject, "\n".join(lines) + "\n"


def message_document(subject: str, text: str) -> str:
    """A NotifyWorkers message as queued for email: the requester's Subject and MessageText, as given."""
    return json.dumps({"Subject": subject, "MessageText": text}, separators=(",", ":"))


def message_email(body: str) -> tuple[str, str]:
    doc = json.loads(body)
    return doc["Subject"], doc["MessageText"]
