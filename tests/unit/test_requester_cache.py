"""The in-process cache of active requesters: TTL expiry on a fake monotonic clock, no negative entries."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.store.models import Requester

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


class FakeMonotonic:
    def __init__(self):
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/k.db")
    upgrade(database)
    with database.transaction() as session:
        session.add(Requester(access_key_id="AK1", secret_access_key="s1", customer_id="C1", created_at=NOW))
    yield database
    database.dispose()


def _set_active(db: Database, key: str, active: bool) -> None:
    with db.transaction() as session:
        session.get(Requester, key).active = active


def _lookup(db: Database, cache: requesters.ActiveRequesterCache, key: str) -> Requester | None:
    with db.transaction(writes=False) as session:
        found = cache.find_signing_key(session, key)
        return found[0] if found else None


def test_a_deactivated_key_is_refused_once_the_ttl_has_passed(db):
    clock = FakeMonotonic()
    cache = requesters.ActiveRequesterCache(ttl=5.0, monotonic=clock)
    assert _lookup(db, cache, "AK1").secret_access_key == "s1"
    _set_active(db, "AK1", False)
    clock.value += 4.9
    assert _lookup(db, cache, "AK1") is not None  # still within the TTL: the documented delay
    clock.value += 0.2
    assert _lookup(db, cache, "AK1") is None


def test_unknown_and_inactive_keys_are_not_remembered(db):
    clock = FakeMonotonic()
    cache = requesters.ActiveRequesterCache(ttl=5.0, monotonic=clock)
    _set_active(db, "AK1", False)
    assert _lookup(db, cache, "AK1") is None
    _set_active(db, "AK1", True)
    assert _lookup(db, cache, "AK1") is not None  # reactivated: works at once, no TTL to wait out
    assert _lookup(db, cache, "AK404") is None
    with db.transaction() as session:
        session.add(Requester(access_key_id="AK404", secret_access_key="s", customer_id="C404", created_at=NOW))
    assert _lookup(db, cache, "AK404") is not None  # a new key works at once


def test_the_cached_requester_outlives_a_rolled_back_transaction(db):
    cache = requesters.ActiveRequesterCache(ttl=5.0, monotonic=FakeMonotonic())
    with pytest.raises(RuntimeError), db.transaction(writes=False) as session:
        cache.find_signing_key(session, "AK1")
        raise RuntimeError("the operation failed")  # rollback expires what the session holds
    assert _lookup(db, cache, "AK1").secret_access_key == "s1"


def test_clear_forgets_everything(db):
    clock = FakeMonotonic()
    cache = requesters.ActiveRequesterCache(ttl=5.0, monotonic=clock)
    _lookup(db, cache, "AK1")
    _set_active(db, "AK1", False)
    cache.clear()
    assert _lookup(db, cache, "AK1") is None
