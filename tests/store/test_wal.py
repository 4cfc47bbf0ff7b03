"""SQLite's WAL restarts while writes never pause (kempelen.store.db.Checkpointer)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from kempelen.store.db import Checkpointer, Database, WriteLockBusy


def _write(db: Database) -> None:
    """One write as the event loop makes it (wait=False), waiting its turn while the lock is held."""
    while True:
        try:
            with db.writing(wait=False) as unit:
                unit.driver().execute("INSERT INTO filler (payload) VALUES (randomblob(3000))")
            return
        except WriteLockBusy:
            with db.writers_held():
                pass


class _PacedPass:
    """The pass's connection: after its first (unlocked) step it waits until the test has written, so that
    commits land between the two steps however the threads are scheduled."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection
        self.first_step_done, self.written_since = threading.Event(), threading.Event()

    def execute(self, sql: str):
        cursor = self.connection.execute(sql)
        if not self.first_step_done.is_set():
            self.first_step_done.set()
            assert self.written_since.wait(timeout=30)
        return cursor


def _frames_in_wal(path) -> int:
    with sqlite3.connect(path) as connection:
        _busy, frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames


@contextlib.contextmanager
def _written(path, writes: int) -> Iterator[Database]:
    """A Database at `path` whose filler table has had `writes` writes."""
    db = Database(f"sqlite:///{path}")
    try:
        with db.writing() as unit:
            unit.driver().execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB)")
        for _ in range(writes):
            _write(db)
        yield db
    finally:
        db.dispose()


def test_a_checkpoint_pass_leaves_the_wal_to_restart_though_writes_went_on(tmp_path, monkeypatch):
    monkeypatch.setattr(Checkpointer, "EVERY", 10**9)  # passes only when this test runs one
    monkeypatch.setattr(Checkpointer, "RESTART_FRAMES", 0)  # and each takes its second step
    path = tmp_path / "kempelen.db"
    with _written(path, 50) as db:
        fifty_writes = _frames_in_wal(path)  # (and copied back: the next write restarts the WAL)
        for _ in range(50):
            _write(db)  # the WAL holds these fifty, not yet copied back

        # a pass on the checkpointer's thread while this one writes on, as a busy event loop does
        checkpointer = db._checkpointer()
        passing = _PacedPass(sqlite3.connect(path, check_same_thread=False))
        done, writes_during = threading.Event(), 0
        pass_thread = threading.Thread(target=lambda: (checkpointer.checkpoint(passing), done.set()))
        pass_thread.start()
        while not done.is_set():
            _write(db)
            writes_during += 1
            if passing.first_step_done.is_set():
                passing.written_since.set()
        pass_thread.join()
        passing.connection.close()
        _write(db)

        assert writes_during > 0
        # Restarted after the pass: the WAL holds the few writes made since, not the fifty before it as well
        # (an unlocked pass alone leaves the commits made during it uncopied, and the WAL grows on).
        assert _frames_in_wal(path) < fifty_writes


def test_a_pass_holds_writers_up_only_once_the_wal_is_long(tmp_path, monkeypatch):
    """Below RESTART_FRAMES a pass copies what it can and leaves the write lock alone: it ends while another
    thread holds the lock. At the threshold it waits for the lock, to let the WAL restart."""
    monkeypatch.setattr(Checkpointer, "EVERY", 10**9)
    path = tmp_path / "kempelen.db"
    with _written(path, 20) as db:
        frames = _frames_in_wal(path)
        checkpointer = db._checkpointer()
        for threshold, waits in ((frames + 1, False), (frames, True)):
            monkeypatch.setattr(Checkpointer, "RESTART_FRAMES", threshold)
            connection = sqlite3.connect(path, check_same_thread=False)
            done = threading.Event()
            with db.writers_held():
                pass_thread = threading.Thread(target=lambda: (checkpointer.checkpoint(connection), done.set()))
                pass_thread.start()
                assert done.wait(timeout=0.5 if waits else 30) is not waits
            pass_thread.join()
            connection.close()
            assert done.is_set()
