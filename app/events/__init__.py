"""Events MTurk notified requesters about, written to the outbox (the ``event`` table) in the same
transaction as the change that caused them. Delivery to SQS, SNS and email reads the outbox in order.

When the HIT type has an active notification specification naming the event, the same transaction also
queues its delivery (kempelen.events.delivery sends it), so an event is either committed with its delivery or
not at all, and a restart loses neither.
"""

from __future__ import annotations

from datetime import datetime

from collections import namedtuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from kempelen.events import outbox
from kempelen.store.models import HIT, Event, NotificationSetting
from kempelen.store.prepared import PreparedRead, PreparedWrite, rows, write

ASSIGNMENT_EVENTS = ("AssignmentAccepted", "AssignmentAbandoned", "AssignmentReturned", "AssignmentSubmitted",
                     "AssignmentRejected", "AssignmentApproved")
HIT_EVENTS = ("HITCreated", "HITExpired", "HITReviewable", "HITExtended", "HITDisposed")
EVENT_TYPES = ASSIGNMENT_EVENTS + HIT_EVENTS


_EVENT_COLUMNS = ("event_type", "requester_id", "hit_type_id", "hit_id", "assignment_id", "event_time")
# Written at once with prepared statements, in order: an event's seq is its place in the outbox.
_INSERT_EVENT = PreparedWrite(Event.__table__, list(_EVENT_COLUMNS), returning=("seq",))
_SETTINGS = NotificationSetting.__table__
_SETTING = PreparedRead(select(*_SETTINGS.c).where(_SETTINGS.c.hit_type_id == bindparam("hit_type_id")),
                        "NotificationSettingRow")
#: an outbox row as kempelen.events.outbox reads it
EventRow = namedtuple("EventRow", ("seq", *_EVENT_COLUMNS))


def emit(session: Session, event_type: str, hit: HIT, at: datetime, assignment_id: str | None = None) -> None:
    """`session` is the operation's unit of work (a Session or a kempelen.store.db.WriteUnit)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    values = dict(event_type=event_type, requester_id=hit.requester_id, hit_type_id=hit.hit_type_id,
                  hit_id=hit.hit_id, assignment_id=assignment_id, event_time=at)
    seq = write(session, _INSERT_EVENT, values)[0].seq
    found = rows(session, _SETTING, {"hit_type_id": hit.hit_type_id})
    if found and found[0].active and event_type in found[0].event_types.split(","):
        outbox.enqueue(session, EventRow(seq=seq, **values), found[0])
