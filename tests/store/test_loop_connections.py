"""The event loop's PostgreSQL connections (kempelen.store.greenlets) are kept from one unit of work to the
next; one left idle long enough is pinged before use, so a server restarted meanwhile costs no request."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.util.concurrency import greenlet_spawn

from kempelen.store import db as db_module
from kempelen.store import greenlets
from tests.databases import migrated_database


@pytest.fixture()
def database():
    with migrated_database("postgresql") as database:
        yield database


def _drop_loop_connections(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as admin:
        return admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE application_name = %s AND datname = current_database()",
                             (greenlets.APPLICATION_NAME,)).fetchone()[0]


def _on_a_loop(coroutine):
    """Run `coroutine` on an event loop of a thread of its own (this thread may have one running already,
    as the browser tests leave it)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _units(database) -> tuple[int, int]:
    """A read unit and a one-statement autocommit read, in a greenlet as the Requester API runs them; the
    backend pids they ran on."""
    with database.transaction(writes=False) as session:
        unit_pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    dialect, read = database.autocommit_reader()
    assert dialect.driver == "asyncpg"
    read_pid = read("SELECT pg_backend_pid()", ())[0][0]
    return unit_pid, read_pid


@pytest.mark.parametrize("idle_seconds, survives", [(0.0, True), (3600.0, False)])
def test_idle_loop_connections_are_pinged_before_use(database, monkeypatch, idle_seconds, survives):
    """Kept connections that the server dropped while they were idle: pinged (idle time 0), both kinds are
    replaced unseen; not pinged (an hour), the next unit finds its connection dead. The second case shows
    the first one is the ping's doing."""

    async def run():
        first = await greenlet_spawn(_units, database)
        assert _drop_loop_connections(database.url) >= 2
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", idle_seconds)
        try:
            second = await greenlet_spawn(_units, database)
        finally:
            await database.close_on_loop()
        return first, second

    if survives:
        first, second = _on_a_loop(run())
        assert set(first).isdisjoint(second)  # new connections, not the dropped ones
    else:
        with pytest.raises(Exception):  # noqa: B017 - whichever error the driver raises for a dead connection
            _on_a_loop(run())


def test_units_on_the_loop_reuse_their_connection(database):
    """Units one after another run on one kept connection, and no more are opened than units in flight."""

    async def run():
        try:
            return [await greenlet_spawn(_units, database) for _ in range(5)]
        finally:
            await database.close_on_loop()

    pids = _on_a_loop(run())
    assert len({unit for unit, _read in pids}) == 1
    assert len({read for _unit, read in pids}) == 1


def test_units_that_fail_give_their_connections_back(database):
    """A unit that ends in an error does not keep its connection for the next (the error may have left the
    driver mid-operation) but gives it back: more failing units than the loop holds connections, write units
    and Session units alike, and a good unit after them is still answered at once."""

    class Refused(Exception):
        pass

    def failing(kind: str):
        with (database.writing() if kind == "write" else database.transaction(writes=False)) as unit:
            unit.execute(text("SELECT 1"))
            raise Refused(kind)

    async def units():
        for n in range(greenlets.POOL_SIZE + 5):
            with pytest.raises(Refused):
                await greenlet_spawn(failing, "write" if n % 2 else "read")
        return await greenlet_spawn(_units, database)

    async def run():
        try:  # a connection held back would make a unit wait for ever: a bound instead
            return await asyncio.wait_for(units(), 20)
        finally:
            await database.close_on_loop()

    assert len(_on_a_loop(run())) == 2


def test_turns_are_taken_at_once_while_free_then_handed_on_in_order():
    order: list[str] = []

    async def scenario():
        turns = greenlets._Turns(1)

        def holder():
            turns.take()
            order.append("holder")

        def waiter(name: str):
            turns.take()  # suspends this greenlet until a turn is handed over
            order.append(name)
            turns.give_back()

        await greenlet_spawn(holder)  # a free turn: taken without suspending
        first = asyncio.create_task(greenlet_spawn(waiter, "first"))
        doomed = asyncio.create_task(greenlet_spawn(waiter, "cancelled"))
        second = asyncio.create_task(greenlet_spawn(waiter, "second"))
        await asyncio.sleep(0)  # all three are waiting now
        doomed.cancel()
        await asyncio.sleep(0)
        assert order == ["holder"]
        turns.give_back()
        await asyncio.gather(first, second)
        with pytest.raises(asyncio.CancelledError):
            await doomed
        assert turns._free == 1 and not turns._waiting  # every turn came back

    _on_a_loop(scenario())
    assert order == ["holder", "first", "second"]
