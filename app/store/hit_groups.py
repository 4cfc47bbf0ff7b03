"""The worker site's HIT groups: HIT types with Assignable HITs, one row per type, keyset-paged in three
orders (newest, reward, HITs available), with a keyword search.

Cost: the reward and newest orders walk a hit_type index and probe each type's HITs (ix_hit_hit_type_id_seq)
until the page is full, so a page costs the same at any depth and any number of HITs. The HITs-available
order must count every group; it counts with a cheap condition (no look at pending assignments) and the page's
exact figures are then taken with the full Assignable rule, as for the other orders.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from kempelen.store.assignments import assignable
from kempelen.store.hits import live_hit
from kempelen.store.models import HIT, HITType, Requester
from kempelen.store.worker_blocks import blocking_requesters

SORTS = ("newest", "reward", "hits")


@dataclass
class GroupRow:
    hit_type: HITType
    requester_name: str
    available: int
    latest_expiration: datetime | None
    #: the sort key of this row, for the next page's cursor
    key: list


def _maybe_assignable(now: datetime):
    """Assignable but for pending assignments (which only the exact count looks at)."""
    return and_(live_hit(now), HIT.reviewing.is_(False), HIT.expiration > now,
                HIT.max_assignments > HIT.assignments_done)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _after(columns: list, key: list):
    """Keyset condition for a descending order on `columns` after the row whose values are `key`."""
    first, *rest = columns
    if not rest:
        return first < key[0]
    return or_(first < key[0], and_(first == key[0], _after(rest, key[1:])))


def page(session: Session, now: datetime, *, worker_id: str, sort: str, after: list | None, limit: int,
         search: str | None = None, hidden_types: Collection[str] = (),
         only_types: Collection[str] | None = None) -> list[GroupRow]:
    """Up to `limit` groups in `sort` order (descending) after the key `after`."""
    query = (select(HITType, Requester.name)
             .join(Requester, Requester.access_key_id == HITType.requester_id)
             .where(HITType.requester_id.not_in(blocking_requesters(worker_id))))
    if hidden_types:
        query = query.where(HITType.hit_type_id.not_in(list(hidden_types)))
    if only_types is not None:
        query = query.where(HITType.hit_type_id.in_(list(only_types)))
    for term in (search or "").split()[:8]:
        pattern = _like(term)
        query = query.where(or_(HITType.title.ilike(pattern, escape="\\"),
                                HITType.description.ilike(pattern, escape="\\"),
                                HITType.keywords.ilike(pattern, escape="\\")))
    if sort == "hits":
        counted = (select(HIT.hit_type_id.label("hit_type_id"), func.count().label("n"))
                   .where(_maybe_assignable(now)).group_by(HIT.hit_type_id).subquery())
        columns = [counted.c.n, HITType.hit_type_id]
        query = query.add_columns(counted.c.n).join(counted, counted.c.hit_type_id == HITType.hit_type_id)
    else:
        columns = [HITType.created_at if sort == "newest" else HITType.reward_cents, HITType.hit_type_id]
        query = query.add_columns(columns[0]).where(
            exists().where(HIT.hit_type_id == HITType.hit_type_id, _maybe_assignable(now)))
    if after is not None:
        query = query.where(_after(columns, after))
    rows = session.execute(query.order_by(*(column.desc() for column in columns)).limit(limit)).all()
    exact = exact_counts(session, [hit_type.hit_type_id for hit_type, *_ in rows], now)
    found = []
    for hit_type, requester_name, sort_value in rows:
        available, latest = exact.get(hit_type.hit_type_id, (0, None))
        key_value = sort_value.isoformat() if isinstance(sort_value, datetime) else sort_value
        found.append(GroupRow(hit_type, requester_name or hit_type.requester_id, available, latest,
                              [key_value, hit_type.hit_type_id]))
    return found


def exact_counts(session: Session, hit_type_ids: list[str], now: datetime) -> dict[str, tuple[int, datetime]]:
    """Assignable HITs per HIT type (pending assignments counted) and the latest of their expirations."""
    if not hit_type_ids:
        return {}
    rows = session.execute(select(HIT.hit_type_id, func.count(), func.max(HIT.expiration))
                           .where(HIT.hit_type_id.in_(hit_type_ids), assignable(now))
                           .group_by(HIT.hit_type_id))
    return {type_id: (int(count), latest) for type_id, count, latest in rows}


def key_from_cursor(sort: str, key: list) -> list:
    """A cursor's key back into column values (the newest order's time was sent as ISO text)."""
    if sort == "newest":
        return [datetime.fromisoformat(key[0]), key[1]]
    return key
