"""A write on the event loop's PostgreSQL connections sends its key check with its BEGIN (WriteUnit,
requesters.still_signs): one round trip for both. The unit begins, commits and rolls back that transaction
itself, with or without an ORM Session joining it, and leaves its connection as the next unit expects it."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.util.concurrency import greenlet_spawn

from kempelen.store import requesters
from kempelen.store.db import RunCheckedFirst
from kempelen.store.models import Requester, WorkerBlock
from kempelen.store.prepared import PreparedWrite, write_alone
from tests.databases import migrated_database

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
KEY = "AKIATESTBEGINCHECK01"


@pytest.fixture()
def database():
    with migrated_database("postgresql") as database:
        with database.transaction() as session:
            session.add(Requester(access_key_id=KEY, secret_access_key="s", customer_id="C1", created_at=NOW))
        yield database


def _on_a_loop(database, function):
    """`function()` in a greenlet on an event loop of a thread of its own, as the Requester API runs units."""

    async def run():
        try:
            return await greenlet_spawn(function)
        finally:
            await database.close_on_loop()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


def _blocks(database) -> list[str]:
    with database.transaction(writes=False) as session:
        return list(session.scalars(select(WorkerBlock.worker_id).order_by(WorkerBlock.worker_id)))


def _block(unit, worker_id: str) -> None:
    unit.add(WorkerBlock(requester_id=KEY, worker_id=worker_id, reason="r", created_at=NOW))


def test_the_check_travels_with_begin_and_the_unit_commits_or_rolls_back_whole(database):
    def units():
        seen = []
        with database.writing(begin_check=requesters.still_signs(KEY)) as unit:
            seen.append(unit.begin_check_passed)
            pid = unit.execute(text("SELECT pg_backend_pid()")).scalar_one()
            _block(unit, "AKEPT")
        with pytest.raises(RuntimeError), database.writing(begin_check=requesters.still_signs(KEY)) as unit:
            _block(unit, "AROLLEDBACK")
            unit.flush()
            raise RuntimeError("the operation failed")
        # the next unit on that connection: an ordinary transaction, nothing left open from the last
        with database.transaction() as session:
            assert session.execute(text("SELECT pg_backend_pid()")).scalar_one() == pid
            session.add(WorkerBlock(requester_id=KEY, worker_id="ANEXT", reason="r", created_at=NOW))
        with database.writing(begin_check=requesters.still_signs(KEY)) as unit:
            seen.append(unit.begin_check_passed)
        return seen

    assert _on_a_loop(database, units) == [True, True]
    assert _blocks(database) == ["AKEPT", "ANEXT"]


def test_a_key_switched_off_fails_the_check(database):
    with database.transaction() as session:
        session.get(Requester, KEY).key_active = False

    def unit():
        with database.writing(begin_check=requesters.still_signs(KEY)) as unit:
            return unit.begin_check_passed

    assert _on_a_loop(database, unit) is False


def test_a_unit_without_a_check_or_off_the_loop_begins_as_before(database):
    def on_loop():
        with database.writing() as unit:
            return unit.begin_check_passed

    assert _on_a_loop(database, on_loop) is None
    with database.writing(begin_check=requesters.still_signs(KEY)) as unit:  # a thread's psycopg connection
        assert unit.begin_check_passed is None
        _block(unit, "ATHREAD")
    assert _blocks(database) == ["ATHREAD"]


def test_only_plain_key_ids_are_written_into_sql():
    assert requesters.still_signs("AKIA'); DROP TABLE hit; --") is None
    assert requesters.still_signs("akialowercase0000000") is None
    assert f"'{KEY}'" in requesters.still_signs(KEY)


# --- a unit that defers its check (Operation.defers_check: CreateHIT) -------------------------------------

def _visible_elsewhere(database, worker_id: str) -> bool:
    """Whether another connection already sees the block: committed, not merely written."""
    return worker_id in _blocks(database)


def test_a_deferred_check_goes_with_the_first_statement(database):
    def unit():
        with database.writing(begin_check=requesters.still_signs(KEY), defer_check=True) as unit:
            deferred = unit.check_deferred
            _block(unit, "ADEFERRED")
            unit.flush()  # the first statement: BEGIN and the check go out ahead of it
            return deferred, unit.check_deferred, unit.begin_check_passed

    assert _on_a_loop(database, unit) == (True, False, True)
    assert _blocks(database) == ["ADEFERRED"]


def test_a_deferred_check_that_fails_writes_nothing(database):
    with database.transaction() as session:
        session.get(Requester, KEY).active = False

    def unit():
        with database.writing(begin_check=requesters.still_signs(KEY), defer_check=True) as unit:
            _block(unit, "ANEVER")
            unit.flush()

    with pytest.raises(RunCheckedFirst):
        _on_a_loop(database, unit)
    assert _blocks(database) == []


def test_a_lone_statement_commits_itself_and_ends_the_unit(database):
    lone = PreparedWrite(WorkerBlock.__table__, ["requester_id", "worker_id", "reason", "created_at"])
    values = {"requester_id": KEY, "worker_id": "ALONE", "reason": "r", "created_at": NOW}

    def unit():
        with database.writing(begin_check=requesters.still_signs(KEY), defer_check=True) as unit:
            assert write_alone(unit, lone, values) == []
            committed_before_the_unit_ends = _visible_elsewhere(database, "ALONE")
            with pytest.raises(RuntimeError, match="after the unit's only one"):
                _block(unit, "ASECOND")
                unit.flush()
            return committed_before_the_unit_ends

    assert _on_a_loop(database, unit) is True
    assert _blocks(database) == ["ALONE"]


def test_a_unit_that_has_begun_or_never_deferred_cannot_take_a_lone_statement(database):
    lone = PreparedWrite(WorkerBlock.__table__, ["requester_id", "worker_id", "reason", "created_at"])
    values = {"requester_id": KEY, "worker_id": "ALONE", "reason": "r", "created_at": NOW}

    def units():
        answers = []
        with database.writing(begin_check=requesters.still_signs(KEY), defer_check=True) as unit:
            _block(unit, "AFIRST")
            unit.flush()
            answers.append(write_alone(unit, lone, values))
        with database.writing(begin_check=requesters.still_signs(KEY)) as unit:
            answers.append(write_alone(unit, lone, values))
        return answers

    assert _on_a_loop(database, units) == [None, None]
    assert _blocks(database) == ["AFIRST"]
