"""The prebuilt HIT queries: get_hit / get_hit_type scoping and assignment_counts at a moment, on SQLite and
PostgreSQL (no API operation creates assignments yet, so the rows are written here directly)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kempelen.domain.hits import AssignmentCounts
from kempelen.store import hits as store
from kempelen.store.models import HIT, Assignment, HITType, Requester, Worker
from tests.databases import migrated_database

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request):
    with migrated_database(request.param) as database:
        yield database


def _assignment(n: int, hit_id: str, status: str, *, deadline: timedelta = timedelta(hours=1),
                auto_approval: timedelta | None = None) -> Assignment:
    return Assignment(assignment_id=f"A{hit_id}{n}", hit_id=hit_id, worker_id=f"W{n}", status=status,
                      accept_time=NOW - timedelta(hours=2), deadline=NOW + deadline,
                      auto_approval_time=None if auto_approval is None else NOW + auto_approval)


@pytest.fixture(scope="module")
def seeded(db):
    with db.transaction() as session:
        for key in ("RQ1", "RQ2"):
            session.add(Requester(access_key_id=key, secret_access_key="s", customer_id=f"C{key}",
                                  created_at=NOW))
        session.flush()
        session.add(HITType(hit_type_id="T1", hit_group_id="G1", requester_id="RQ1", fingerprint="f", title="t",
                            description="d", reward_cents=5, assignment_duration=60, auto_approval_delay=60,
                            created_at=NOW))
        session.flush()
        session.add_all([Worker(worker_id=f"W{n}", token_sha256=f"{n:064d}", created_at=NOW) for n in range(1, 8)])
        for hit_id in ("H1", "H2"):
            session.add(HIT(hit_id=hit_id, requester_id="RQ1", hit_type_id="T1", creation_time=NOW,
                            expiration=NOW + timedelta(days=1), max_assignments=9, initial_max_assignments=9))
        session.flush()
        session.add_all([
            _assignment(1, "H1", "Accepted"),                                   # pending
            _assignment(2, "H1", "Accepted", deadline=-timedelta(seconds=1)),   # abandoned by now: nothing
            _assignment(3, "H1", "Submitted", auto_approval=timedelta(hours=1)),  # submitted
            _assignment(4, "H1", "Submitted", auto_approval=timedelta(0)),       # due: approved by now
            _assignment(5, "H1", "Approved"),
            _assignment(6, "H1", "Rejected"),
            _assignment(7, "H1", "Returned"),
        ])
    return db


def test_assignment_counts_as_they_stand_at_now(seeded):
    with seeded.transaction(writes=False) as session:
        counts = store.assignment_counts(session, ["H1", "H2", "H404"], NOW)
        later = store.assignment_counts(session, iter(["H1"]), NOW + timedelta(hours=2))
        assert store.assignment_counts(session, [], NOW) == {}
    assert counts == {"H1": AssignmentCounts(pending=1, submitted=1, completed=3),
                      "H2": AssignmentCounts(), "H404": AssignmentCounts()}
    assert later == {"H1": AssignmentCounts(pending=0, submitted=0, completed=4)}


@pytest.mark.parametrize("for_update", [False, True])
def test_get_hit_is_scoped_to_its_requester(seeded, for_update):
    with seeded.transaction(writes=for_update) as session:
        hit, hit_type = store.get_hit(session, "RQ1", "H2", for_update=for_update)
        assert (hit.hit_id, hit_type.hit_type_id) == ("H2", "T1")
        assert store.get_hit(session, "RQ2", "H2", for_update=for_update) is None
        assert store.get_hit(session, "RQ1", "H404", for_update=for_update) is None


def test_get_hit_type_is_scoped_to_its_requester(seeded):
    with seeded.transaction(writes=False) as session:
        assert store.get_hit_type(session, "RQ1", "T1").hit_group_id == "G1"
        assert store.get_hit_type(session, "RQ2", "T1") is None


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=timezone(timedelta(hours=-5))),
    datetime(999, 1, 1, tzinfo=timezone.utc),
    datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)])
def test_prepared_statements_store_sqlite_datetimes_as_the_orm_does(moment):
    """A prepared statement's datetime on SQLite is the text UTCDateTime stores through SQLAlchemy, or its
    comparisons with ORM-written rows would be wrong (the column is text there)."""
    from sqlalchemy.dialects import sqlite

    from kempelen.store.models import UTCDateTime
    from kempelen.store.prepared import _bind_processor

    dialect = sqlite.dialect()
    assert _bind_processor(UTCDateTime(), dialect)(moment) == UTCDateTime()._cached_bind_processor(dialect)(moment)
    with pytest.raises(ValueError):
        _bind_processor(UTCDateTime(), dialect)(moment.replace(tzinfo=None))
