"""Requester accounts and their keys."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, literal_column, select
from sqlalchemy.orm import Session

from kempelen import ids
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY
from kempelen.store.db import Database
from kempelen.store.models import Requester, RequesterAccessKey
from kempelen.store.prepared import PreparedRead, rows


def find_active(session: Session, access_key_id: str) -> Requester | None:
    """An active account by its own id (the original key's id, which HITs and the rest are keyed by)."""
    requester = session.get(Requester, access_key_id)
    return requester if requester is not None and requester.active else None


_REQUESTER = Requester.__table__
_BY_ORIGINAL_KEY = PreparedRead(select(*_REQUESTER.c).where(_REQUESTER.c.access_key_id == bindparam("key")),
                                "RequesterRow")
_KEY = RequesterAccessKey.__table__
_BY_OTHER_KEY = PreparedRead(
    select(*_REQUESTER.c, _KEY.c.secret_access_key.label("key_secret"))
    .join(_KEY, _KEY.c.requester_id == _REQUESTER.c.access_key_id)
    .where(_KEY.c.access_key_id == bindparam("key"), _KEY.c.active.is_(True), _REQUESTER.c.active.is_(True)),
    "RequesterWithKey")


def find_signing_key(session, access_key_id: str) -> tuple[Requester, str] | None:
    """The account an access key acts for and the key's secret, if both are active: the original key
    (a primary-key read), else a key made on the Developer page. The account comes back as a read-only
    row with Requester's attributes (prepared statements: no ORM object to build for every request)."""
    found = rows(session, _BY_ORIGINAL_KEY, {"key": access_key_id})
    if found:
        requester = found[0]
        return (requester, requester.secret_access_key) if requester.active and requester.key_active else None
    found = rows(session, _BY_OTHER_KEY, {"key": access_key_id})
    if not found:
        return None
    return _BY_ORIGINAL_KEY.row._make(found[0][:-1]), found[0].key_secret


# The form of every access key id Kempelen makes (kempelen.ids.access_key_id, the development key): only such
# an id is ever written into SQL as a literal (still_signs).
_KEY_ID = re.compile(r"[A-Z0-9]{16,32}")


def begin_check(db: Database, access_key_id: str, cached: tuple[Requester, str] | None) -> str | None:
    """What a write signed by `access_key_id` can send with its BEGIN (Database.writing's begin_check), given
    the cache's entry for the key: only on PostgreSQL, and only for an account's own key. When the check
    passes, the cached account is the writer's: its columns other than the active flags never change."""
    if not db.greenlets or cached is None or cached[0].access_key_id != access_key_id:
        return None
    return still_signs(access_key_id)


def still_signs(access_key_id: str) -> str | None:
    """A SELECT that a write on PostgreSQL can send with its BEGIN, one round trip for both where a prepared
    read would be a round trip of its own (kempelen.store.db.WriteUnit). For an account's own key: it finds
    no row once the account or the key is switched off. The key is written in as a literal (a primary-key
    lookup, cheap to plan each time; a session's PREPARE would not survive PgBouncer's transaction mode).
    The caller reads the key in full when it finds none (and for a key made on the Developer page). None for
    an id of any other form."""
    if not _KEY_ID.fullmatch(access_key_id):
        return None
    return _still_signs_sql(access_key_id)


def own_key_signs(access_key_id) -> ColumnElement[bool]:
    """The condition that the account whose own key is `access_key_id` (a value or a bind) may still sign
    with it: the account active and the key on. What still_signs checks, for a statement that checks it
    itself (kempelen.events' lone CreateHIT statement)."""
    requester = _REQUESTER.c
    return and_(requester.access_key_id == access_key_id, requester.active.is_(True),
                requester.key_active.is_(True))


@functools.lru_cache(maxsize=1024)
def _still_signs_sql(access_key_id: str) -> str:
    from sqlalchemy.dialects import postgresql

    own = select(literal_column("1")).where(own_key_signs(access_key_id))
    return str(own.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


class ActiveRequesterCache:
    """access_key_id -> its active requester and the key's secret, remembered for `ttl` seconds so a read does not query for it.

    Only active requesters are kept, so a new key works at once; a key deactivated in the database goes on
    working in this process for up to `ttl` seconds. What it returns is detached from every session and
    shared between requests: a read-only snapshot, for operations that only read (never add it to a
    session; writers look the row up in their own transaction).
    """

    MAX_ENTRIES = 10_000  # more keys than that: start again rather than grow without bound

    def __init__(self, ttl: float = 5.0, monotonic: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, tuple[Requester, str]]] = {}

    def cached(self, access_key_id: str) -> tuple[Requester, str] | None:
        """The remembered (requester, secret), or None when it must be looked up (no session needed)."""
        entry = self._entries.get(access_key_id)
        return entry[1] if entry is not None and entry[0] > self._monotonic() else None

    def find_signing_key(self, session: Session, access_key_id: str) -> tuple[Requester, str] | None:
        now = self._monotonic()
        entry = self._entries.get(access_key_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        found = find_signing_key(session, access_key_id)
        if found is None:
            self._entries.pop(access_key_id, None)
            return None
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[access_key_id] = (now + self.ttl, found)
        return found

    def clear(self) -> None:
        self._entries.clear()


def create(session: Session, now: datetime, *, name: str = "", mode: str = "sandbox") -> Requester:
    requester = Requester(access_key_id=ids.access_key_id(), secret_access_key=ids.secret_access_key(),
                          customer_id=ids.customer_id(), name=name, is_development=False, active=True,
                          mode=mode, created_at=now)
    session.add(requester)
    return requester


def set_development_requester(session: Session, now: datetime, enabled: bool) -> None:
    """A fresh database gets the documented development requester; disabling it refuses its key."""
    requester = session.get(Requester, DEVELOPMENT_ACCESS_KEY_ID)
    if requester is None:
        if not enabled:
            return
        requester = Requester(access_key_id=DEVELOPMENT_ACCESS_KEY_ID,
                              secret_access_key=DEVELOPMENT_SECRET_ACCESS_KEY, customer_id=ids.customer_id(),
                              name="development", is_development=True, mode="sandbox", created_at=now)
        session.add(requester)
    requester.active = enabled


def all_requesters(session: Session) -> list[Requester]:
    return list(session.scalars(select(Requester).order_by(Requester.created_at)))
