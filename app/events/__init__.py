"""Events MTurk notified requesters about, written to the outbox (the ``event`` table) in the same
transaction as the change that caused them. Delivery to SQS, SNS and email reads the outbox in order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.store.models import HIT, Event

ASSIGNMENT_EVENTS = ("AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned", "AssignmentSubmitted",
                     "AssignmentRejected", "AssignmentApproved")
HIT_EVENTS = ("HITCreated", "HITExpired", "HITReviewable", "HITExtended", "HITDisposed")
EVENT_TYPES = ASSIGNMENT_EVENTS + HIT_EVENTS


def emit(session: Session, event_type: str, hit: HIT, at: datetime, assignment_id: str | None = None) -> None:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    session.add(Event(event_type=event_type, requester_id=hit.requester_id, hit_type_id=hit.hit_type_id,
                      hit_id=hit.hit_id, assignment_id=assignment_id, event_time=at))
