"""The sweeper writes each due transition once, even with several processes sweeping one database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from threading import Barrier

import pytest

from kempelen import ids
from kempelen.clock import ManualClock
from kempelen.store import requesters
from kempelen.store.db import Database
from kempelen.store.migrate import upgrade
from kempelen.store.models import HIT, Assignment, Event, HITType, Worker
from kempelen.operations.due import anything_due
from kempelen.sweeper import Sweeper
from tests.databases import database_url as empty_database

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    with empty_database(request.param) as url:
        yield url


def _seed(db: Database, accepted: int, submitted: int) -> None:
    """`accepted` acceptances due to be abandoned at T0+60s and `submitted` submissions due for approval
    at T0+120s, plus one of each that is not yet due."""
    with db.transaction() as session:
        requester = requesters.create(session, T0)
        session.flush()  # no ORM relationships: rows go in parent-first by hand
        hit_type = HITType(hit_type_id=ids.entity_id(), hit_group_id=ids.entity_id(),
                           requester_id=requester.access_key_id, fingerprint="f", title="t", description="d",
                           reward_cents=10, assignment_duration=60, auto_approval_delay=120,
                           qualification_requirements="[]", created_at=T0)
        hit = HIT(hit_id=ids.entity_id(), requester_id=requester.access_key_id, hit_type_id=hit_type.hit_type_id,
                  creation_time=T0, expiration=T0 + timedelta(days=1), max_assignments=1000,
                  initial_max_assignments=1000, question="<q/>", reviewing=False, assignments_done=submitted + 1)
        session.add(hit_type)
        session.flush()
        session.add(hit)
        session.flush()
        for n in range(accepted + submitted + 2):
            worker = Worker(worker_id=ids.worker_id(), token_sha256=f"{n:064d}", created_at=T0)
            session.add(worker)
            session.flush()
            is_submission = n >= accepted + 1
            late = n in (accepted, accepted + submitted + 1)  # one of each kind is due later
            session.add(Assignment(
                assignment_id=ids.entity_id(), hit_id=hit.hit_id, worker_id=worker.worker_id,
                status="Submitted" if is_submission else "Accepted", accept_time=T0,
                deadline=T0 + timedelta(seconds=3600 if late and not is_submission else 60),
                submit_time=T0 if is_submission else None,
                auto_approval_time=(T0 + timedelta(seconds=3600 if late else 120)) if is_submission else None))


def test_concurrent_sweepers_move_each_row_once(database_url):
    setup = Database(database_url)
    upgrade(setup)
    _seed(setup, accepted=30, submitted=20)
    setup.dispose()

    clock = ManualClock(T0 + timedelta(seconds=600))
    sweepers = [Sweeper(Database(database_url), clock) for _ in range(4)]  # four "processes"
    start = Barrier(len(sweepers))

    def sweep(sweeper):
        start.wait()
        return sweeper.run_once()

    with ThreadPoolExecutor(max_workers=len(sweepers)) as pool:
        results = list(pool.map(sweep, sweepers))
    assert sum(swept.abandoned for swept in results) == 30
    assert sum(swept.approved for swept in results) == 20
    assert sweepers[0].run_once().total == 0

    with sweepers[0].db.transaction(writes=False) as session:
        rows = session.query(Assignment).all()
        by_status = {}
        for row in rows:
            by_status[row.status] = by_status.get(row.status, 0) + 1
        assert by_status == {"Abandoned": 30, "Accepted": 1, "Approved": 20, "Submitted": 1}
        # An auto-approval is dated when it fell due, not when the sweeper noticed.
        assert {row.approval_time for row in rows if row.status == "Approved"} == {T0 + timedelta(seconds=120)}
        # ... and each transition put exactly one event into the outbox
        emitted = {}
        for event in session.query(Event).all():
            emitted[event.event_type] = emitted.get(event.event_type, 0) + 1
        assert emitted == {"AssignmentAbandoned": 30, "AssignmentApproved": 20}
    for sweeper in sweepers:
        sweeper.db.dispose()


def test_the_background_thread_sweeps_on_its_own(database_url):
    db = Database(database_url)
    upgrade(db)
    _seed(db, accepted=3, submitted=2)
    sweeper = Sweeper(db, ManualClock(T0 + timedelta(seconds=600)), interval=0.01)
    sweeper.start()
    try:
        for _ in range(500):  # up to ~5 s of real time for the thread to get scheduled; the service clock is fixed
            with db.transaction(writes=False) as session:
                if session.query(Assignment).filter(Assignment.status.in_(["Abandoned", "Approved"])).count() == 5:
                    break
            sweeper._stop.wait(0.01)
        else:
            pytest.fail("the sweeper thread did not write the due transitions")
    finally:
        sweeper.stop()
        db.dispose()


def test_a_sweep_looks_before_it_takes_the_write_lock(database_url):
    """anything_due agrees with what a sweep finds, moment by moment; an idle sweep never waits for writers."""
    db = Database(database_url)
    upgrade(db)
    _seed(db, accepted=2, submitted=2)
    clock = ManualClock(T0)
    sweeper = Sweeper(db, clock)
    try:
        # due: acceptances at +60 s, approvals at +120 s, the late pair at +3600 s, the HIT's expiry at +1 day
        for offset, expected in ((0, 0), (61, 2), (61, 0), (121, 2), (3601, 2), (86_401, 1), (86_401, 0)):
            clock.set(T0 + timedelta(seconds=offset))
            assert anything_due(db, clock.now()) == bool(expected), offset
            assert sweeper.run_once().total == expected, offset
        # nothing due: the sweep returns at once while this process's writers are held elsewhere (SQLite)
        held, release = Barrier(2), Barrier(2)

        def hold_writers():
            with db.writers_held():
                held.wait()
                release.wait()

        with ThreadPoolExecutor(max_workers=2) as pool:
            holder = pool.submit(hold_writers)
            held.wait()
            try:
                assert pool.submit(sweeper.run_once).result(timeout=10).total == 0
            finally:
                release.wait()
            holder.result()
    finally:
        db.dispose()
