"""The worker site's HIT groups: HIT types with Assignable HITs, one row per type, keyset-paged in three
orders (newest, reward, HITs available), with a keyword search.

Cost: the reward and newest orders walk a hit_type index and probe each type's HITs (ix_hit_hit_type_id_seq)
until the page is full, so a page costs the same at any depth and any number of HITs. The HITs-available
order must count every group: it counts with a cheap condition (no look at pending assignments) from a
covering index, keeps that ordering for a few seconds per process (a new HIT or assignment refreshes it at
once), and walks it in Python; the page's exact figures are then taken with the full Assignable rule, as for
the other orders.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from kempelen.store.assignments import assignable
from kempelen.store.hits import live_hit
from kempelen.store.models import HIT, Assignment, HITType, Requester
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


def _filtered(query, *, worker_id: str, search: str | None, hidden_types: Collection[str]):
    query = query.where(HITType.requester_id.not_in(blocking_requesters(worker_id)))
    if hidden_types:
        query = query.where(HITType.hit_type_id.not_in(list(hidden_types)))
    for term in (search or "").split()[:8]:
        pattern = _like(term)
        query = query.where(or_(HITType.title.ilike(pattern, escape="\\"),
                                HITType.description.ilike(pattern, escape="\\"),
                                HITType.keywords.ilike(pattern, escape="\\")))
    return query


def page(session: Session, now: datetime, *, worker_id: str, sort: str, after: list | None, limit: int,
         search: str | None = None, hidden_types: Collection[str] = ()) -> list[GroupRow]:
    """Up to `limit` groups in `sort` order (descending) after the key `after`."""
    query = _filtered(select(HITType, Requester.name).join(Requester, Requester.access_key_id == HITType.requester_id),
                      worker_id=worker_id, search=search, hidden_types=hidden_types)
    if sort == "hits":
        found = _by_count(session, now, query, after, limit)
    else:
        columns = [HITType.created_at if sort == "newest" else HITType.reward_cents, HITType.hit_type_id]
        query = query.add_columns(columns[0]).where(
            exists().where(HIT.hit_type_id == HITType.hit_type_id, _maybe_assignable(now)))
        if after is not None:
            query = query.where(_after(columns, after))
        found = [tuple(row) for row in
                 session.execute(query.order_by(*(column.desc() for column in columns)).limit(limit))]
    exact = exact_counts(session, [hit_type.hit_type_id for hit_type, *_ in found], now)
    rows = []
    for hit_type, requester_name, sort_value in found:
        available, latest = exact.get(hit_type.hit_type_id, (0, None))
        key_value = sort_value.isoformat() if isinstance(sort_value, datetime) else sort_value
        rows.append(GroupRow(hit_type, requester_name or hit_type.requester_id, available, latest,
                             [key_value, hit_type.hit_type_id]))
    return rows


def _by_count(session: Session, now: datetime, query, after: list | None, limit: int) -> list[tuple]:
    """The groups in (count, id) descending order after `after`: the ordering from the cache, the rows and
    filters from SQL, a batch of candidates at a time."""
    ordered = _ordered_by_count(session, now)
    start = 0
    if after is not None:  # the first entry below the cursor's key (the list is sorted descending)
        key = (int(after[0]), str(after[1]))
        low, high = 0, len(ordered)
        while low < high:
            middle = (low + high) // 2
            if ordered[middle] < key:
                high = middle
            else:
                low = middle + 1
        start = low
    found: list[tuple] = []
    batch = max(limit * 5, 200)
    while start < len(ordered) and len(found) < limit:
        candidates = ordered[start:start + batch]
        counts = {type_id: count for count, type_id in candidates}
        rows = {hit_type.hit_type_id: (hit_type, name) for hit_type, name in
                session.execute(query.where(HITType.hit_type_id.in_(list(counts))))}
        for count, type_id in candidates:
            if type_id in rows:
                found.append((*rows[type_id], count))
                if len(found) == limit:
                    break
        start += batch
    return found


# (count, hit_type_id) of every group with open HITs, descending, per database; refreshed when a HIT or an
# assignment is added (so a test sees its own writes) or after ORDER_TTL seconds (expirations, deletions)
ORDER_TTL = 5.0
_orders: dict[str, tuple[float, tuple, list[tuple[int, str]]]] = {}
_orders_lock = threading.Lock()


def _ordered_by_count(session: Session, now: datetime) -> list[tuple[int, str]]:
    version = (session.scalar(select(func.max(HIT.seq))), session.scalar(select(func.max(Assignment.seq))))
    database = str(session.get_bind().url)
    with _orders_lock:
        cached = _orders.get(database)
    if cached is not None and cached[1] == version and time.monotonic() - cached[0] < ORDER_TTL:
        return cached[2]
    rows = session.execute(select(HIT.hit_type_id, func.count()).where(_maybe_assignable(now))
                           .group_by(HIT.hit_type_id))
    ordered = sorted(((int(count), type_id) for type_id, count in rows), reverse=True)
    with _orders_lock:
        _orders[database] = (time.monotonic(), version, ordered)
    return ordered


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
