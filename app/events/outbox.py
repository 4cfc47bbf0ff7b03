"""Queuing an event for delivery, in the transaction that emits it; and a NotifyWorkers message for email."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kempelen.clock import wall_time
from kempelen.events import documents, transports
from kempelen.store.models import NotificationDelivery, Requester

PENDING, DELIVERED, FAILED = "Pending", "Delivered", "Failed"


def enqueue(session: Session, event, setting) -> None:
    """Queue one event (an outbox row already written: kempelen.events.EventRow) for the setting's
    destination (a NotificationSetting or a row of one), in the event's own transaction."""
    requester = session.get(Requester, event.requester_id)
    entry = documents.event_entry(event.event_type, event.event_time, event.hit_id, event.hit_type_id,
                                  event.assignment_id)
    body = documents.document([entry], access_key_id=requester.access_key_id,
                              customer_id=requester.customer_id, version=setting.version)
    session.add(NotificationDelivery(
        event_seq=event.seq, event_type=event.event_type, hit_type_id=event.hit_type_id,
        transport=setting.transport, destination=setting.destination, document=body, status=PENDING,
        attempts=0, next_attempt_at=wall_time()))


def enqueue_message(session: Session, address: str, subject: str, text: str) -> None:
    """Queue a NotifyWorkers message for a worker's email address, in the NotifyWorkers transaction: the
    deliverer sends and retries it like an event, so a mail server that is down fails nothing now."""
    session.add(NotificationDelivery(
        event_seq=None, event_type="NotifyWorkers", hit_type_id=None, transport=transports.MESSAGE,
        destination=address, document=documents.message_document(subject, text), status=PENDING,
        attempts=0, next_attempt_at=wall_time()))
