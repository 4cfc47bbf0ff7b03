"""Assignment queries that need care: status at a moment in SQL, keyset pages, the HITs a worker may take.

The SQL here mirrors ``kempelen.domain.assignments.effective``: an Accepted row past its deadline counts as
Abandoned and a Submitted row past its AutoApprovalTime as Approved, so filters agree with what a reader
is shown whether or not the sweeper has caught up.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from kempelen.domain import assignments as states
from kempelen.domain.hits import AUTO_DISPOSE_AFTER
from kempelen.domain.workers import WorkerStatistics
from kempelen.store.hits import live_hit
from kempelen.store.models import HIT, Assignment, BonusPayment, HITType, UTCDateTime
from kempelen.store.prepared import PreparedRead, dialect_name, rows
from kempelen.store.worker_blocks import blocking_requesters


def _is(status: str, now: datetime):
    """SQL for "effective status == status" at `now`."""
    a = Assignment
    if status == states.ACCEPTED:
        return and_(a.status == states.ACCEPTED, a.deadline > now)
    if status == states.ABANDONED:
        return or_(a.status == states.ABANDONED, and_(a.status == states.ACCEPTED, a.deadline <= now))
    if status == states.SUBMITTED:
        return and_(a.status == states.SUBMITTED, a.auto_approval_time > now)
    if status == states.APPROVED:
        return or_(a.status == states.APPROVED,
                   and_(a.status == states.SUBMITTED, a.auto_approval_time <= now))
    return a.status == status


def get(session: Session, assignment_id: str, *, for_update: bool = False) -> Assignment | None:
    query = select(Assignment).where(Assignment.assignment_id == assignment_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


#: the instant of the module's prepared statements, bound when each runs
_NOW = bindparam("now", type_=UTCDateTime())

# Built once, as kempelen.store.hits.get_hit_any_requester's: a submit's and a return's first read.
_WITH_HIT = (select(Assignment, HIT, HITType).join(HIT, Assignment.hit_id == HIT.hit_id)
             .join(HITType, HIT.hit_type_id == HITType.hit_type_id)
             .where(Assignment.assignment_id == bindparam("assignment_id")))
_WITH_HIT_FOR_UPDATE = _WITH_HIT.with_for_update(of=Assignment)


def get_with_hit(session: Session, assignment_id: str, *, for_update: bool = False
                 ) -> tuple[Assignment, HIT, HITType] | None:
    query = _WITH_HIT_FOR_UPDATE if for_update else _WITH_HIT
    row = session.execute(query, {"assignment_id": assignment_id}).first()
    return (row[0], row[1], row[2]) if row else None


_TAKEN = PreparedRead(select(Assignment.assignment_id).where(
    Assignment.hit_id == bindparam("hit_id"), Assignment.worker_id == bindparam("worker_id")).limit(1), "Taken")


def has_taken(session: Session, hit_id: str, worker_id: str) -> bool:
    """Whether the worker has ever had an assignment on the HIT (in any status: a HIT is taken once)."""
    return bool(rows(session, _TAKEN, {"hit_id": hit_id, "worker_id": worker_id}))


_TAKING = ("assignment_id", "hit_id", "worker_id", "status", "accept_time", "deadline")


@functools.cache
def _taking(dialect: str):
    """INSERT of a new assignment that does nothing when the worker already has one on the HIT; built per
    dialect, at its first use (the statement is each dialect's own), RETURNING the new row's seq."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Assignment.__table__
    return (insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in _TAKING})
            .on_conflict_do_nothing().returning(table.c.seq))


def take(session: Session, *, assignment_id: str, hit_id: str, worker_id: str, status: str,
         accept_time: datetime, deadline: datetime) -> Assignment | None:
    """The new assignment, or None when the worker already has one on the HIT: the unique (hit, worker) key
    decides a race with a concurrent accept by the same worker. The Assignment returned is a copy of the
    row for reading, outside the Session: half the CPU of adding one in a savepoint (0.5 ms against 1.1)."""
    values = {"assignment_id": assignment_id, "hit_id": hit_id, "worker_id": worker_id, "status": status,
              "accept_time": accept_time, "deadline": deadline}
    seq = session.execute(_taking(dialect_name(session)), values).scalar()
    return None if seq is None else Assignment(seq=seq, **values)


def page_for_hit(session: Session, hit_id: str, statuses: Sequence[str], now: datetime, *, after: int | None,
                 limit: int) -> list[Assignment]:
    query = select(Assignment).where(Assignment.hit_id == hit_id, or_(*(_is(s, now) for s in statuses)))
    if after is not None:
        query = query.where(Assignment.seq > after)
    return list(session.scalars(query.order_by(Assignment.seq).limit(limit)))


def page_for_worker(session: Session, worker_id: str, *, after: int | None, limit: int
                    ) -> list[tuple[Assignment, HIT, HITType]]:
    query = (select(Assignment, HIT, HITType).join(HIT, Assignment.hit_id == HIT.hit_id)
             .join(HITType, HIT.hit_type_id == HITType.hit_type_id).where(Assignment.worker_id == worker_id))
    if after is not None:
        query = query.where(Assignment.seq > after)
    return [(a, h, t) for a, h, t in session.execute(query.order_by(Assignment.seq).limit(limit))]


_MARK_DONE = (update(HIT).where(HIT.hit_id == bindparam("done_hit_id"))
              .values(assignments_done=HIT.assignments_done + 1).returning(HIT.assignments_done)
              .execution_options(synchronize_session=False))


def mark_hit_done(session: Session, hit: HIT) -> None:
    """One more Submitted/Approved/Rejected assignment: an atomic increment, so no lock on the HIT, whose
    result (counting what concurrent submits added) the loaded `hit` then holds as if read."""
    done = session.execute(_MARK_DONE, {"done_hit_id": hit.hit_id}).scalar_one()
    set_committed_value(hit, "assignments_done", done)


def _pending_count(now: datetime):
    return (select(func.count()).select_from(Assignment)
            .where(Assignment.hit_id == HIT.hit_id, Assignment.status == states.ACCEPTED,
                   Assignment.deadline > now)
            .scalar_subquery())


def _assignable(now: datetime, not_expired=None, created_after=None):
    """hit_status() == Assignable, in SQL: live, not reviewing, not expired, a slot free. `not_expired`: the
    expiration term as the caller words it for the planner (see _assignable_query); `created_after`: see
    live_hit."""
    return and_(live_hit(now, created_after), HIT.reviewing.is_(False),
                HIT.expiration > now if not_expired is None else not_expired,
                HIT.max_assignments > HIT.assignments_done + _pending_count(now))


#: the same condition, for other store modules (the worker site's HIT groups)
assignable = _assignable


def _not_taken_by(worker_id: str):
    return ~exists().where(Assignment.hit_id == HIT.hit_id, Assignment.worker_id == worker_id)


def assignable_page(session: Session, worker_id: str, now: datetime, *, after: int | None, limit: int,
                    hit_type_id: str | None = None, hidden_hit_types: Collection[str] = ()
                    ) -> list[tuple[HIT, HITType]]:
    """Assignable HITs that this worker has never taken, in creation order, leaving out the HITs of
    requesters who blocked the worker and the HIT types in `hidden_hit_types`."""
    query = _assignable_query(select(HIT, HITType), dialect_name(session), worker_id, now, after, hit_type_id,
                              hidden_hit_types)
    return [(hit, hit_type) for hit, hit_type in session.execute(query.limit(limit))]


def assignable_hit_ids(session: Session, worker_id: str, now: datetime, *, limit: int, hit_type_id: str) -> list[str]:
    """The ids of assignable_page's HITs of one type (accept-next needs no more than the ids)."""
    found = rows(session, *assignable_ids_query(dialect_name(session), worker_id, now, limit=limit,
                                                hit_type_id=hit_type_id))
    return [row.hit_id for row in found]


def assignable_ids_query(dialect: str, worker_id: str, now: datetime, *, limit: int, hit_type_id: str
                         ) -> tuple[PreparedRead, dict]:
    """The statement assignable_hit_ids runs and its bind values (a test explains its plan)."""
    return _assignable_ids(dialect), {"worker_id": worker_id, "now": now, "hit_type_id": hit_type_id,
                                           "created_after": now - AUTO_DISPOSE_AFTER, "limit": limit}


@functools.cache
def _assignable_ids(dialect: str) -> PreparedRead:
    """assignable_hit_ids' statement, built once per dialect (its SQL differs: see _assignable_query):
    building it for every accept-next cost more than running it."""
    query = _assignable_query(select(HIT.hit_id), dialect, bindparam("worker_id"), _NOW, None,
                              bindparam("hit_type_id"), (),
                              created_after=bindparam("created_after", type_=UTCDateTime()))
    return PreparedRead(query.limit(bindparam("limit", type_=Integer())), "AssignableHIT")


def _assignable_query(query, dialect: str, worker_id, now, after: int | None, hit_type_id,
                      hidden_hit_types: Collection[str], *, created_after=None):
    not_expired = HIT.expiration > now
    if hit_type_id is not None and dialect == "sqlite":
        # Without statistics SQLite reads the expiration range from the open-HITs index and then sorts every
        # open HIT of the type by seq (1.5 ms at 2,500 HITs); told the range filters nothing (likely()), it
        # walks the (hit_type_id, seq) index in order and stops at the limit (0.03 ms).
        not_expired = func.likely(not_expired)
    query = (query.join(HITType, HIT.hit_type_id == HITType.hit_type_id)
             .where(_assignable(now, not_expired, created_after), _not_taken_by(worker_id),
                    HIT.requester_id.not_in(blocking_requesters(worker_id))))
    if hidden_hit_types:
        query = query.where(HIT.hit_type_id.not_in(list(hidden_hit_types)))
    if hit_type_id is not None:
        query = query.where(HIT.hit_type_id == hit_type_id)
    if after is not None:
        query = query.where(HIT.seq > after)
    return query.order_by(HIT.seq)


_TYPES_BY_ID_OR_GROUP = PreparedRead(select(HITType.hit_type_id).where(
    or_(HITType.hit_type_id == bindparam("id"), HITType.hit_group_id == bindparam("id"))), "HITTypeId")


def hit_types_by_id_or_group(session: Session, hit_type_or_group_id: str) -> list[str]:
    """HIT type ids named by a HITTypeId or a HITGroupId (the worker site's URLs use group ids)."""
    return [row.hit_type_id for row in rows(session, _TYPES_BY_ID_OR_GROUP, {"id": hit_type_or_group_id})]


def _total(condition, name: str):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).label(name)


# Built once, with the instant as a bind: the statement, seven sums of effective statuses, cost 1-2 ms to
# build, several times what it costs to run (the worker API's GET /api/worker, and every accept of a HIT
# that requires a system qualification such as PercentAssignmentsApproved).
_STATISTICS = PreparedRead(select(
    func.count().label("accepted"),
    _total(or_(_is(states.SUBMITTED, _NOW), _is(states.APPROVED, _NOW), _is(states.REJECTED, _NOW)), "submitted"),
    _total(_is(states.APPROVED, _NOW), "approved"),
    _total(_is(states.REJECTED, _NOW), "rejected"),
    _total(_is(states.RETURNED, _NOW), "returned"),
    _total(_is(states.ABANDONED, _NOW), "abandoned"),
    _total(_is(states.ACCEPTED, _NOW), "pending"),
).where(Assignment.worker_id == bindparam("worker_id")), "WorkerStatisticsRow")


def worker_statistics(session: Session, worker_id: str, now: datetime) -> WorkerStatistics:
    [row] = rows(session, _STATISTICS, {"worker_id": worker_id, "now": now})
    return WorkerStatistics(**{name: int(value) for name, value in row._asdict().items()})


def due(session: Session, now: datetime, limit: int) -> tuple[list[tuple[Assignment, HIT]],
                                                              list[tuple[Assignment, HIT]]]:
    """Rows whose stored status the clock has overtaken: (overdue acceptances, due auto-approvals), locked.
    SKIP LOCKED lets several processes sweep at once, each taking rows no other has (PostgreSQL; SQLite's
    write transactions are already exclusive)."""
    def locked(condition):
        query = (select(Assignment, HIT).join(HIT, Assignment.hit_id == HIT.hit_id).where(condition)
                 .order_by(Assignment.seq).limit(limit).with_for_update(skip_locked=True, of=Assignment))
        return [(a, h) for a, h in session.execute(query)]

    overdue, approvals = transitions_due(now)
    return locked(overdue), locked(approvals)


def transitions_due(now) -> tuple:
    """The conditions of due()'s two scans: acceptances past their deadline, auto-approvals fallen due."""
    return (and_(Assignment.status == states.ACCEPTED, Assignment.deadline <= now),
            and_(Assignment.status == states.SUBMITTED, Assignment.auto_approval_time <= now))


def bonus_cents_by_assignment(session: Session, assignment_ids: Sequence[str]) -> dict[str, int]:
    """Bonuses paid per assignment (a worker's own list shows reward and bonus side by side)."""
    if not assignment_ids:
        return {}
    rows = session.execute(select(BonusPayment.assignment_id, func.sum(BonusPayment.amount_cents))
                           .where(BonusPayment.assignment_id.in_(list(assignment_ids)))
                           .group_by(BonusPayment.assignment_id))
    return {assignment_id: int(total) for assignment_id, total in rows}
