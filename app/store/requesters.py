"""Requester accounts and their keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kempelen import ids
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY
from kempelen.store.models import Requester, RequesterAccessKey


def find_active(session: Session, access_key_id: str) -> Requester | None:
    """An active account by its own id (the original key's id, which HITs and the rest are keyed by)."""
    requester = session.get(Requester, access_key_id)
    return requester if requester is not None and requester.active else None


def find_signing_key(session: Session, access_key_id: str) -> tuple[Requester, str] | None:
    """The account an access key acts for and the key's secret, if both are active: the original key
    (a primary-key read, as before), else a key made on the Developer page."""
    requester = session.get(Requester, access_key_id)
    if requester is not None:
        return (requester, requester.secret_access_key) if requester.active and requester.key_active else None
    row = session.execute(select(Requester, RequesterAccessKey.secret_access_key)
                          .join(RequesterAccessKey, RequesterAccessKey.requester_id == Requester.access_key_id)
                          .where(RequesterAccessKey.access_key_id == access_key_id,
                                 RequesterAccessKey.active.is_(True), Requester.active.is_(True))).first()
    return (row[0], row[1]) if row else None


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
        # Out of the session, so its rollback cannot expire the attributes other requests are reading.
        session.expunge(found[0])
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
