"""Events MTurk notified requesters about, written to the outbox (the ``event`` table) in the same
transaction as the change that caused them. Delivery to SQS, SNS and email reads the outbox in order.

When the HIT type has an active notification specification naming the event, the same transaction also
queues its delivery (kempelen.events.delivery sends it), so an event is either committed with its delivery or
not at all, and a restart loses neither.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kempelen.events import outbox
from kempelen.store.models import HIT, Event, NotificationSetting

ASSIGNMENT_EVENTS = ("AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned", "AssignmentSubmitted",
                     "AssignmentRejected", "AssignmentApproved")
HIT_EVENTS = ("HITCreated", "HITExpired", "HITReviewable", "HITExtended", "HITDisposed")
EVENT_TYPES = ASSIGNMENT_EVENTS + HIT_EVENTS


def emit(session: Session, event_type: str, hit: HIT, at: datetime, assignment_id: str | None = None) -> None:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    event = Event(event_type=event_type, requester_id=hit.requester_id, hit_type_id=hit.hit_type_id,
                  hit_id=hit.hit_id, assignment_id=assignment_id, event_time=at)
    session.add(event)
    setting = session.get(NotificationSetting, hit.hit_type_id)
    if setting is not None and setting.active and event_type in setting.event_types.split(","):
        outbox.enqueue(session, event, setting)
