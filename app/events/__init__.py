"""Events MTurk notified requesters about, written to the outbox (the ``event`` table) in the same
transaction as the change that caused them. Delivery to SQS, SNS and email reads the outbox in order.

When the HIT type has an active notification specification naming the event, the same transaction also
queues its delivery (kempelen.events.delivery sends it), so an event is either committed with its delivery or
not at all, and a restart loses neither.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, insert, literal_column, select
from sqlalchemy.orm import Session

from kempelen.events import outbox
from kempelen.store.db import RunCheckedFirst
from kempelen.store.models import HIT, Event, NotificationSetting
from kempelen.store.prepared import PreparedRead, PreparedWrite, dialect_name, first_row, write, write_alone
from kempelen.store.requesters import own_key_signs

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
# On PostgreSQL one statement writes the event and reads its HIT type's notification setting: a round trip
# fewer for every write that emits one. (SQLite, where a statement costs no round trip, has no INSERT in WITH.)
_EVENTS = Event.__table__
_INSERTED = (insert(_EVENTS).values({name: bindparam(name, type_=_EVENTS.c[name].type) for name in _EVENT_COLUMNS})
             .returning(_EVENTS.c.seq, _EVENTS.c.hit_type_id).cte("inserted"))
_READ_SETTING = (select(_INSERTED.c.seq, *(column for column in _SETTINGS.c if column.key != "hit_type_id"))
                 .select_from(_INSERTED.outerjoin(_SETTINGS, _SETTINGS.c.hit_type_id == _INSERTED.c.hit_type_id)))
_INSERT_READING_SETTING = PreparedRead(_READ_SETTING, "EventWithSetting")


@functools.cache
def _row_then_event(table: Table, columns: tuple[str, ...]) -> PreparedRead:
    """PostgreSQL: the INSERT of a row of `table` (binds named "row_" + column) ahead of the event's, in one
    statement (WITH runs every data-modifying part, read or not)."""
    row = insert(table).values({name: bindparam(f"row_{name}", type_=table.c[name].type) for name in columns})
    return PreparedRead(_READ_SETTING.add_cte(row.cte("written")), "EventWithSetting")


# Hit types this process saw with an active notification setting: their new rows take the usual path (the
# setting decides what is queued), without first trying the lone statement, which declines them.
_NOTIFIED_TYPES: set[str] = set()
_NOTIFIED_TYPES_MAX = 10_000  # a bound, not a tuning


@functools.cache
def _lone_row_then_event(table: Table, columns: tuple[str, ...]) -> PreparedRead:
    """PostgreSQL: _row_then_event as a unit's only statement, committed by itself (kempelen.store.prepared.
    write_alone). It makes the check the unit held back itself (a check only ever held back for an account's
    own key: requesters.begin_check), and writes the row and its event only if the requester is still active
    with its key on and no active notification setting of the HIT type wants the event queued (the usual path
    does that). One row: the event's seq (NULL when nothing was written) and
    whether a setting declined it."""
    settings = _SETTINGS.c
    notified = exists().where(settings.hit_type_id == bindparam("hit_type_id"), settings.active.is_(True))
    signs = exists().where(own_key_signs(bindparam("requester_id")))
    allowed = select(literal_column("1").label("allowed")).where(signs, ~notified).cte("allowed")

    def from_allowed(target: Table, names, prefix: str = ""):
        binds = [bindparam(f"{prefix}{name}", type_=target.c[name].type) for name in names]
        return insert(target).from_select(list(names), select(*binds).select_from(allowed))

    written = from_allowed(table, columns, "row_").cte("written")
    inserted = from_allowed(_EVENTS, _EVENT_COLUMNS).returning(_EVENTS.c.seq).cte("inserted")
    verdict = select(select(inserted.c.seq).scalar_subquery().label("seq"), notified.label("notified"))
    return PreparedRead(verdict.add_cte(written), "LoneEvent")


def _emit_alone(session, values: dict[str, Any], inserting: tuple[Table, dict[str, Any]]) -> bool:
    """The row and its event as the unit's only statement, when the unit can still take one: True when
    written; False when the unit had begun (the caller writes as usual). RunCheckedFirst when the statement
    declined: nothing was written, and the operation runs again with the key checked first."""
    if values["hit_type_id"] in _NOTIFIED_TYPES:
        return False
    table, row = inserting
    found = write_alone(session, _lone_row_then_event(table, tuple(row)),
                        {**{f"row_{name}": value for name, value in row.items()}, **values})
    if found is None:
        return False
    verdict = found[0]
    if verdict.seq is not None:
        return True
    if verdict.notified:
        if len(_NOTIFIED_TYPES) >= _NOTIFIED_TYPES_MAX:
            _NOTIFIED_TYPES.clear()
        _NOTIFIED_TYPES.add(values["hit_type_id"])
    raise RunCheckedFirst()


@functools.cache
def _row_insert(table: Table, columns: tuple[str, ...]) -> PreparedWrite:
    return PreparedWrite(table, list(columns))
#: an outbox row as kempelen.events.outbox reads it
EventRow = namedtuple("EventRow", ("seq", *_EVENT_COLUMNS))


def emit(session: Session, event_type: str, hit: HIT, at: datetime, assignment_id: str | None = None, *,
         inserting: tuple[Table, dict[str, Any]] | None = None, last: bool = False) -> None:
    """`session` is the operation's unit of work (a Session or a kempelen.store.db.WriteUnit). `inserting`
    (table, values): the new row the event announces, written first; on PostgreSQL in the event's own
    statement, a round trip fewer (CreateHIT's HIT). `last`: the unit writes nothing after this; on
    PostgreSQL a unit that has sent nothing yet then makes it its only statement, committed by itself
    (CreateHIT: one round trip in all)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    values = dict(event_type=event_type, requester_id=hit.requester_id, hit_type_id=hit.hit_type_id,
                  hit_id=hit.hit_id, assignment_id=assignment_id, event_time=at)
    if dialect_name(session) == "postgresql":
        if last and inserting is not None and _emit_alone(session, values, inserting):
            return
        if inserting is None:
            inserted = write(session, _INSERT_READING_SETTING, values)[0]
        else:
            table, row = inserting
            statement = _row_then_event(table, tuple(row))
            inserted = write(session, statement, {**{f"row_{name}": value for name, value in row.items()},
                                                  **values})[0]
        seq, setting = inserted.seq, (inserted if inserted.transport is not None else None)
    else:
        if inserting is not None:
            table, row = inserting
            write(session, _row_insert(table, tuple(row)), row)
        seq = write(session, _INSERT_EVENT, values)[0].seq
        setting = first_row(session, _SETTING, {"hit_type_id": hit.hit_type_id})
    if setting is not None and setting.active and event_type in setting.event_types.split(","):
        outbox.enqueue(session, EventRow(seq=seq, **values), setting)
