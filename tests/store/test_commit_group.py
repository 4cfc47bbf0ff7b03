"""SQLite writes on the event loop commit together, a loop turn at a time (kempelen.store.db.CommitGroup):
each write still changes all or nothing, and none counts as done before the group's COMMIT."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from kempelen.store.db import CommitGroup, Database, WriteLockBusy
from tests.in_process import requester_calls


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/kempelen.db")
    with database.writing() as unit:
        driver = unit.driver()
        driver.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, source TEXT UNIQUE)")
        # checked at COMMIT, not at the statement: a way to make a group's COMMIT fail
        driver.execute("CREATE TABLE link (id INTEGER PRIMARY KEY, note_id INTEGER"
                       " REFERENCES note (id) DEFERRABLE INITIALLY DEFERRED)")
    yield database
    database.dispose()


def _on_a_loop(coroutine):
    """`coroutine` run on an event loop of a thread of its own (as the server's loop is its own thread's; the
    test's thread may have a loop of its own running)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _sources(db: Database) -> list[str]:
    with db.transaction(writes=False) as session:
        return [row[0] for row in session.execute(text("SELECT source FROM note ORDER BY id"))]


def _write(db: Database, joined: list, source: str, *, session: bool = False, fail: bool = False) -> None:
    with db.writing(wait=False, joined=joined) as unit:
        if session:
            unit.execute(text("INSERT INTO note (source) VALUES (:source)"), {"source": source})
        else:
            unit.driver().execute("INSERT INTO note (source) VALUES (?)", (source,))
        if fail:
            raise RuntimeError("the operation failed")


def test_a_turns_writes_commit_together_and_are_unseen_until_then(db):
    async def turn():
        joined = []
        for source in ("a", "b", "c"):
            _write(db, joined, source, session=source == "b")
        group = joined[0]
        assert joined == [group] * 3 and group.writes == 3
        seen_before = _sources(db)  # another connection: nothing is committed yet
        assert await group.committed is True
        joined_next = []
        _write(db, joined_next, "d")  # a later turn begins a group of its own
        assert joined_next[0] is not group
        assert await joined_next[0].committed is True
        return seen_before

    assert _on_a_loop(turn()) == []
    assert _sources(db) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("session", [False, True])
def test_a_failed_write_is_undone_alone(db, session):
    async def turn():
        joined = []
        _write(db, joined, "kept")
        with pytest.raises(RuntimeError), db.writing(wait=False, joined=joined) as unit:
            unit.driver().execute("INSERT INTO note (source) VALUES ('undone')")
            if session:
                unit.execute(text("INSERT INTO note (source) VALUES ('undone too')"))
            raise RuntimeError("the operation failed")
        _write(db, joined, "kept too", session=session)
        return await joined[0].committed

    assert _on_a_loop(turn()) is True
    assert _sources(db) == ["kept", "kept too"]


def test_a_session_whose_flush_fails_leaves_the_groups_other_writes(db):
    async def turn():
        joined = []
        _write(db, joined, "first", session=True)
        with pytest.raises(Exception, match="UNIQUE"):
            _write(db, joined, "first", session=True)
        _write(db, joined, "second")
        return await joined[0].committed

    assert _on_a_loop(turn()) is True
    assert _sources(db) == ["first", "second"]


def test_a_failed_commit_undoes_every_write_and_frees_the_lock(db):
    async def turn():
        joined = []
        _write(db, joined, "undone")
        with db.writing(wait=False, joined=joined) as unit:
            unit.driver().execute("INSERT INTO link (note_id) VALUES (999)")  # refused only at COMMIT
        failed = await joined[0].committed
        joined_next = []
        _write(db, joined_next, "after")
        return failed, await joined_next[0].committed

    assert _on_a_loop(turn()) == (False, True)
    assert _sources(db) == ["after"]


def test_a_writer_on_another_thread_waits_for_the_group(db):
    async def turn():
        joined = []
        _write(db, joined, "grouped")
        other = threading.Thread(target=lambda: _plain_write(db, "other thread"))
        other.start()
        other.join(timeout=0.2)
        waited = other.is_alive()  # for the lock the open group holds
        committed = await joined[0].committed
        await asyncio.get_running_loop().run_in_executor(None, other.join)
        return waited, committed

    assert _on_a_loop(turn()) == (True, True)
    assert _sources(db) == ["grouped", "other thread"]


def test_a_thread_queued_for_the_lock_goes_before_the_next_group(db):
    """Under load a group ends and the next begins within the loop's next turn: a thread waiting meanwhile
    (the sweeper, a website's write) would find the lock taken again every time it woke."""
    async def turns():
        joined = []
        _write(db, joined, "first group")
        other = threading.Thread(target=lambda: _plain_write(db, "thread"))
        other.start()
        while not db._write_lock.queued:
            await asyncio.sleep(0.001)
        assert await joined[0].committed is True
        with pytest.raises(WriteLockBusy):  # the thread is queued: the loop lets it in first
            _write(db, [], "refused")
        await db.write_lock_released()  # woken by the thread's release
        later = []
        _write(db, later, "next group")
        committed = await later[0].committed
        await asyncio.get_running_loop().run_in_executor(None, other.join)
        return committed

    assert _on_a_loop(turns()) is True
    assert _sources(db) == ["first group", "thread", "next group"]


@pytest.mark.parametrize("wait", [True, False])
def test_a_plain_writer_on_the_loops_own_thread_ends_the_group_first(db, wait):
    """The re-entrant lock would let it in beside the group's open transaction (SQLITE_BUSY, or a wait for
    itself): the group commits first."""
    async def turn():
        joined = []
        _write(db, joined, "grouped")
        _plain_write(db, "plain", wait=wait)
        return joined[0].committed.done() and joined[0].committed.result()

    assert _on_a_loop(turn()) is True
    assert _sources(db) == ["grouped", "plain"]


def _plain_write(db: Database, source: str, *, wait: bool = True) -> None:
    with db.writing(wait=wait) as unit:
        unit.driver().execute("INSERT INTO note (source) VALUES (?)", (source,))


def test_a_write_whose_group_fails_to_commit_runs_again_alone(monkeypatch, tmp_path):
    """Through the front door: CreateHIT's first group is made to roll back; the call still succeeds, once."""
    ends = []
    original_end = CommitGroup.end

    def end_first_broken(group):
        if not ends and group.writes:
            group.broken = True
        ends.append(group.writes)
        original_end(group)

    monkeypatch.setattr(CommitGroup, "end", end_first_broken)
    with requester_calls(tmp_path) as call:
        created = call("CreateHIT", {
            "Title": "t", "Description": "d", "Reward": "0.10", "AssignmentDurationInSeconds": 60,
            "LifetimeInSeconds": 600, "MaxAssignments": 1, "Question": _EXTERNAL})
        listed = call("ListHITs", {})
    assert created[0] == 200 and listed[0] == 200, (created, listed)
    assert ends == [1]  # the group held the write and rolled back; the write ran again alone, outside any group
    assert [hit["HITId"] for hit in listed[1]["HITs"]] == [created[1]["HIT"]["HITId"]]


_EXTERNAL = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
             '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.com/task</ExternalURL>'
             '<FrameHeight>400</FrameHeight></ExternalQuestion>')



def test_a_group_left_open_by_a_stopped_loop_is_rolled_back_when_the_database_is_disposed(tmp_path):
    """A loop stopped before its next turn never ends its group, whose writes no client has been told of:
    dispose() from another thread neither commits them nor fails."""
    db = Database(f"sqlite:///{tmp_path}/kempelen.db")
    with db.writing() as unit:
        unit.driver().execute("CREATE TABLE note (id INTEGER PRIMARY KEY, source TEXT UNIQUE)")
    loop = asyncio.new_event_loop()

    async def write_then_stop():
        _write(db, [], "never answered")
        loop.stop()  # this turn's callbacks run; the group's end, due next turn, does not

    with ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: (loop.create_task(write_then_stop()), loop.run_forever())).result()
    assert db._group is not None
    db.dispose()
    loop.close()
    reopened = Database(f"sqlite:///{tmp_path}/kempelen.db")
    try:
        assert _sources(reopened) == []
    finally:
        reopened.dispose()
