"""HIT queries that need care: assignment counts at a moment, keyset pages, the reviewable filter; and the HIT
types that CreateHIT remembers."""

from __future__ import annotations

import contextlib
import functools
from collections import namedtuple
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table, and_, bindparam, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kempelen.domain.hits import AUTO_DISPOSE_AFTER, AssignmentCounts
from kempelen.store.db import RunAgain
from kempelen.store.models import HIT, Assignment, HITType, UTCDateTime
from kempelen.store.prepared import PreparedRead, first_row, rows


# Built once: constructing a statement (and its cache key) costs more than running it on SQLite.
_GET_HIT = (select(HIT, HITType).join(HITType, HIT.hit_type_id == HITType.hit_type_id)
            .where(HIT.hit_id == bindparam("hit_id"), HIT.requester_id == bindparam("requester_id")))
_GET_HIT_FOR_UPDATE = _GET_HIT.with_for_update(of=HIT)
_TYPES = HITType.__table__
# HIT types as read-only rows with HITType's attributes: a HIT is made from one, and they never change
_GET_HIT_TYPE = PreparedRead(select(*_TYPES.c).where(_TYPES.c.hit_type_id == bindparam("hit_type_id"),
                                                     _TYPES.c.requester_id == bindparam("requester_id")),
                             "HITTypeRow")
_HIT_TYPE_BY_FINGERPRINT = PreparedRead(
    select(*_TYPES.c).where(_TYPES.c.requester_id == bindparam("requester_id"),
                            _TYPES.c.fingerprint == bindparam("fingerprint")), "HITTypeRow")
_HIT_COLUMNS = [column.key for column in HIT.__table__.c if column.key != "seq"]


def get_hit(session: Session, requester_id: str, hit_id: str, *, for_update: bool = False
            ) -> tuple[HIT, HITType] | None:
    query = _GET_HIT_FOR_UPDATE if for_update else _GET_HIT
    row = session.execute(query, {"hit_id": hit_id, "requester_id": requester_id}).first()
    return (row[0], row[1]) if row else None


def get_hit_type(session, requester_id: str, hit_type_id: str):
    """The requester's HIT type (a read-only row with HITType's attributes), or None."""
    return first_row(session, _GET_HIT_TYPE, {"hit_type_id": hit_type_id, "requester_id": requester_id})


def hit_type_by_fingerprint(session, requester_id: str, fingerprint: str):
    """The requester's HIT type with these properties (a read-only row, as get_hit_type), or None."""
    return first_row(session, _HIT_TYPE_BY_FINGERPRINT, {"requester_id": requester_id, "fingerprint": fingerprint})


# --- HIT types this process has read, for CreateHIT and CreateHITWithHITType ------------------------------
# A HIT type never changes once made, and only an admin reset or a snapshot's restore removes one (here or on
# another replica). So the two operations that make a HIT trust a remembered row instead of reading it again
# (a round trip on PostgreSQL), and the HIT's foreign key checks it for them: an insert the key refuses
# forgets every remembered type and runs the unit again (checking_known_type). Operations that hand out a
# HIT type without making a HIT of it (CreateHITType) read it every time.
_KNOWN_TYPES: dict[tuple[str, str, str], tuple] = {}
_KNOWN_TYPES_MAX = 10_000  # a bound, not a tuning: start again rather than grow without one


def _remember(row) -> None:
    if len(_KNOWN_TYPES) >= _KNOWN_TYPES_MAX:
        _KNOWN_TYPES.clear()
    _KNOWN_TYPES["id", row.requester_id, row.hit_type_id] = row
    _KNOWN_TYPES["fingerprint", row.requester_id, row.fingerprint] = row


def known_hit_type(session, requester_id: str, hit_type_id: str):
    """get_hit_type, remembered: only for a HIT about to be inserted under checking_known_type."""
    return _known(("id", requester_id, hit_type_id), lambda: get_hit_type(session, requester_id, hit_type_id))


def known_hit_type_by_fingerprint(session, requester_id: str, fingerprint: str):
    """hit_type_by_fingerprint, remembered: only for a HIT about to be inserted under checking_known_type."""
    return _known(("fingerprint", requester_id, fingerprint),
                  lambda: hit_type_by_fingerprint(session, requester_id, fingerprint))


def _known(key: tuple[str, str, str], read):
    row = _KNOWN_TYPES.get(key)
    if row is None:
        row = read()
        if row is not None:
            _remember(row)
    return row


#: a new HIT as written: every column but seq (the database's), with HIT's attribute names
NewHIT = namedtuple("NewHIT", _HIT_COLUMNS)


def new_row(hit: NewHIT) -> tuple[Table, dict]:
    """The HIT as kempelen.events.emit inserts it with its HITCreated event (`inserting`): a prepared INSERT,
    no ORM object to build and flush."""
    return HIT.__table__, hit._asdict()


@contextlib.contextmanager
def checking_known_type(hit: NewHIT):
    """Around the statement that inserts `hit`: if its HIT type was a remembered one that the foreign key no
    longer finds, RunAgain (kempelen.store.db): the unit starts over without what this process remembered."""
    try:
        yield
    except IntegrityError:
        if ("id", hit.requester_id, hit.hit_type_id) in _KNOWN_TYPES:
            _KNOWN_TYPES.clear()
            raise RunAgain() from None
        raise


def _count_sums(a, now):
    """Pending, submitted and completed: the three sums of AssignmentCounts at bind `now`."""
    auto_approved = and_(a.status == "Submitted", a.auto_approval_time <= now)
    return (func.sum(case((and_(a.status == "Accepted", a.deadline > now), 1), else_=0)),
            func.sum(case((and_(a.status == "Submitted", a.auto_approval_time > now), 1), else_=0)),
            # equalities rather than IN: a prepared statement has no expanding parameters
            func.sum(case((or_(a.status == "Approved", a.status == "Rejected", auto_approved), 1), else_=0)))


def _counts_statement(one: bool):
    """Pending, submitted and completed counts per HIT at bind `now`, on the Core table (no ORM entities to
    load), for the HIT id `hit_id` (one) or the ids in the expanding bind `hit_ids`."""
    a = Assignment.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    hits = a.hit_id == bindparam("hit_id") if one else a.hit_id.in_(bindparam("hit_ids", expanding=True))
    sums = (total.label(name) for total, name in zip(_count_sums(a, now), ("pending", "submitted", "completed")))
    return select(a.hit_id, *sums).where(hits).group_by(a.hit_id)


# One HIT (every state change of the worker side) is a prepared read: no expanding IN list to render, nor
# SQLAlchemy's execution around a statement that needs none of it.
_COUNTS_ONE, _COUNTS_MANY = PreparedRead(_counts_statement(one=True), "Counts"), _counts_statement(one=False)


def assignment_counts(session: Session, hit_ids: Iterable[str], now: datetime) -> dict[str, AssignmentCounts]:
    """Counts as they stand at `now`: past-deadline acceptances are abandoned and due submissions approved,
    whether or not the sweeper has written that down yet."""
    hit_ids = list(hit_ids)
    if not hit_ids:
        return {}
    if len(hit_ids) == 1:
        found = rows(session, _COUNTS_ONE, {"now": now, "hit_id": hit_ids[0]})
    else:
        found = session.execute(_COUNTS_MANY, {"now": now, "hit_ids": hit_ids})
    counts = {hit_id: AssignmentCounts(int(p or 0), int(s or 0), int(c or 0)) for hit_id, p, s, c in found}
    return {hit_id: counts.get(hit_id, AssignmentCounts()) for hit_id in hit_ids}


# --- HITs with their counts in one statement (prepared reads: GetHIT, ListHITs, ListReviewableHITs) -----
# Every column hit_view reads, HIT and HIT type alike (their names do not collide), plus the counts.
_h, _t = HIT.__table__.c, HITType.__table__.c
_VIEW_COLUMNS = (_h.seq, _h.hit_id, _h.hit_type_id, _h.hit_layout_id, _h.creation_time, _h.expiration,
                 _h.max_assignments, _h.question, _h.requester_annotation, _h.reviewing, _h.disposed_at,
                 _t.hit_group_id, _t.title, _t.description, _t.keywords, _t.reward_cents, _t.auto_approval_delay,
                 _t.assignment_duration, _t.qualification_requirements)


def _with_counts(where, *, page: bool):
    """SELECT the view columns and the HIT's assignment counts at bind `now` for the HITs `where` picks.
    The counts are correlated subqueries, one index range of the HIT's own assignments each, so a page
    costs what its rows cost however many assignments other HITs have."""
    now = bindparam("now", type_=UTCDateTime())
    a = Assignment.__table__.alias("counted")
    counts = [select(total).where(a.c.hit_id == _h.hit_id).scalar_subquery().label(name)
              for total, name in zip(_count_sums(a.c, now), ("pending", "submitted", "completed"))]
    query = (select(*_VIEW_COLUMNS, *counts)
             .select_from(HIT.__table__.join(HITType.__table__, _h.hit_type_id == _t.hit_type_id))
             .where(*where))
    return query.order_by(_h.seq).limit(bindparam("limit")) if page else query


_HIT_VIEW = PreparedRead(_with_counts([_h.hit_id == bindparam("hit_id"), _h.requester_id == bindparam("requester_id")],
                                      page=False), "HITView")


def hit_view_row(session, requester_id: str, hit_id: str, now: datetime):
    """The caller's HIT `hit_id` with its type's columns and its counts at `now` (one statement), or None."""
    return first_row(session, _HIT_VIEW, {"hit_id": hit_id, "requester_id": requester_id, "now": now})


def counts_of(row) -> AssignmentCounts:
    return AssignmentCounts(int(row.pending or 0), int(row.submitted or 0), int(row.completed or 0))


@functools.cache
def _page_statement(after: bool, status: str | None, by_type: bool) -> PreparedRead:
    where = [_h.requester_id == bindparam("requester_id"), _h.disposed_at.is_(None),
             _h.creation_time > bindparam("created_after", type_=UTCDateTime())]
    if after:
        where.append(_h.seq > bindparam("after"))
    if by_type:
        where.append(_h.hit_type_id == bindparam("hit_type_id"))
    if status == "Reviewing":
        where.append(_h.reviewing.is_(True))
    elif status == "Reviewable":
        # reviewable(now), on the table and the bind
        now = bindparam("now", type_=UTCDateTime())
        a = Assignment.__table__.c
        pending = exists().where(a.hit_id == _h.hit_id, a.status == "Accepted", a.deadline > now)
        where += [_h.reviewing.is_(False), ~pending,
                  or_(_h.expiration <= now, _h.assignments_done >= _h.max_assignments)]
    return PreparedRead(_with_counts(where, page=True), "HITView")


def page_of_hit_views(session, requester_id: str, now: datetime, *, after: int | None, limit: int,
                      status: str | None = None, hit_type_id: str | None = None) -> list:
    """page_of_hits with the type's columns and the counts at `now`, in one statement."""
    return rows(session, *page_query(requester_id, now, after=after, limit=limit, status=status,
                                     hit_type_id=hit_type_id))


def page_query(requester_id: str, now: datetime, *, after: int | None, limit: int, status: str | None = None,
               hit_type_id: str | None = None) -> tuple[PreparedRead, dict]:
    """The statement page_of_hit_views runs and its bind values (the bench explains its plan)."""
    values = {"requester_id": requester_id, "now": now, "created_after": now - AUTO_DISPOSE_AFTER,
              "limit": limit, "after": after, "hit_type_id": hit_type_id}
    return _page_statement(after is not None, status, hit_type_id is not None), values


def live_hit(now: datetime, created_after=None):
    """Not deleted, and not yet auto-disposed (MTurk disposed of HITs 120 days after creation).
    `created_after` is now - AUTO_DISPOSE_AFTER, given separately where `now` is a bind."""
    if created_after is None:
        created_after = now - AUTO_DISPOSE_AFTER
    return and_(HIT.disposed_at.is_(None), HIT.creation_time > created_after)


def _pending_exists(now: datetime):
    return exists().where(Assignment.hit_id == HIT.hit_id, Assignment.status == "Accepted",
                          Assignment.deadline > now)


def reviewable(now: datetime):
    """hit_status() == Reviewable for a live HIT, written as SQL: not under review, nothing pending, and
    expired or every slot used."""
    return and_(HIT.reviewing.is_(False), ~_pending_exists(now),
                or_(HIT.expiration <= now, HIT.assignments_done >= HIT.max_assignments))


_LOCK_HIT = select(HIT.seq).where(HIT.hit_id == bindparam("hit_id")).with_for_update()


def lock_hit(session: Session, hit_id: str) -> None:
    session.execute(_LOCK_HIT, {"hit_id": hit_id})


def to_announce(session: Session, now: datetime, limit: int) -> list[HIT]:
    """Live, expired HITs whose expiry, or Reviewable status, has not been announced yet.

    Only expired HITs: one that fills up becomes Reviewable at a submit, which announces it itself (submits
    on a HIT take turns). Both scans use an (announced, expiration) index, so an idle sweep is cheap however
    many HITs there are."""
    found: dict[int, HIT] = {}
    for condition in announcements_due(now):
        query = (select(HIT).where(condition)
                 .order_by(HIT.expiration).limit(limit).with_for_update(skip_locked=True))
        for hit in session.scalars(query):
            found[hit.seq] = hit
    return list(found.values())[:limit]


def announcements_due(now, created_after=None) -> tuple:
    """The conditions of to_announce's two scans: an expiry, and a Reviewable status, not yet announced."""
    due = and_(HIT.expiration <= now, live_hit(now, created_after))
    return (and_(HIT.expired_announced.is_(False), due),
            and_(HIT.reviewable_announced.is_(False), due, reviewable(now)))


def page_of_hits(session: Session, requester_id: str, now: datetime, *, after: int | None, limit: int,
                 status: str | None = None, hit_type_id: str | None = None) -> list[tuple[HIT, HITType]]:
    """The caller's live HITs in creation order after key `after`; `status` narrows to Reviewable/Reviewing."""
    query = (select(HIT, HITType).join(HITType, HIT.hit_type_id == HITType.hit_type_id)
             .where(HIT.requester_id == requester_id, live_hit(now)))
    if after is not None:
        query = query.where(HIT.seq > after)
    if hit_type_id is not None:
        query = query.where(HIT.hit_type_id == hit_type_id)
    if status == "Reviewing":
        query = query.where(HIT.reviewing.is_(True))
    elif status == "Reviewable":
        query = query.where(reviewable(now))
    rows = session.execute(query.order_by(HIT.seq).limit(limit))
    return [(hit, hit_type) for hit, hit_type in rows]


# Built once: building the statement cost as much as running it (0.36 of 0.8 ms, an accept's hottest read).
_ANY_REQUESTERS = select(HIT, HITType).join(HITType, HIT.hit_type_id == HITType.hit_type_id).where(
    HIT.hit_id == bindparam("hit_id"))
_ANY_REQUESTERS_FOR_UPDATE = _ANY_REQUESTERS.with_for_update(of=HIT)


def get_hit_any_requester(session: Session, hit_id: str, *, for_update: bool = False
                          ) -> tuple[HIT, HITType] | None:
    """A HIT as the worker side finds it: by id alone, whoever created it."""
    query = _ANY_REQUESTERS_FOR_UPDATE if for_update else _ANY_REQUESTERS
    row = session.execute(query, {"hit_id": hit_id}).first()
    return (row[0], row[1]) if row else None


def discover_guarded_types(session: Session) -> list[tuple[str, str]]:
    """(HITTypeId, QualificationRequirements JSON) of every HIT type that some requirement may hide."""
    return [(type_id, requirements) for type_id, requirements in session.execute(
        select(HITType.hit_type_id, HITType.qualification_requirements)
        .where(HITType.discover_guarded.is_(True)))]
