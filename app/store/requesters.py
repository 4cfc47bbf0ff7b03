"""Requester accounts and their keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kempelen import ids
from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY
from kempelen.store.models import Requester


def find_active(session: Session, access_key_id: str) -> Requester | None:
    requester = session.get(Requester, access_key_id)
    return requester if requester is not None and requester.active else None


class ActiveRequesterCache:
    """access_key_id -> its active requester, remembered for `ttl` seconds so a read does not query for it.

    Only active requesters are kept, so a new key works at once; a key deactivated in the database goes on
    working in this process for up to `ttl` seconds. What it returns is detached from every session and
    shared between requests: a read-only snapshot, for operations that only read (never add it to a
    session; writers look the row up in their own transaction).
    """

    MAX_ENTRIES = 10_000  # more keys than that: start again rather than grow without bound

    def __init__(self, ttl: float = 5.0, monotonic: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._monotonic = monotonic
        self._entries: dict[str, tuple[float, Requester]] = {}

    def cached(self, access_key_id: str) -> Requester | None:
        """The remembered requester, or None when it must be looked up (no session needed)."""
        entry = self._entries.get(access_key_id)
        return entry[1] if entry is not None and entry[0] > self._monotonic() else None

    def find_active(self, session: Session, access_key_id: str) -> Requester | None:
        now = self._monotonic()
        entry = self._entries.get(access_key_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        requester = find_active(session, access_key_id)
        if requester is None:
            self._entries.pop(access_key_id, None)
            return None
        # Out of the session, so its rollback cannot expire the attributes other requests are reading.
        session.expunge(requester)
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[access_key_id] = (now + self.ttl, requester)
        return requester

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
