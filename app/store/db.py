"""Engine and transactions: one transaction per operation, on SQLite or PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    if database_url.startswith("sqlite"):
        _ensure_sqlite_dir(database_url)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20)
        _configure_sqlite(engine)
        return engine
    return create_engine(database_url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writing operation takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # reads and then writes could fail with SQLITE_BUSY instead of waiting its turn.
        # Straight to the driver: a full SQLAlchemy execute for "BEGIN" cost a tenth of a point read.
        conn.connection.driver_connection.execute(
            "BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")


# SQLite has one writer at a time. Writers of this process queue on a lock (woken the moment it is free)
# rather than in SQLite's busy handler, which sleeps and retries; one lock per database file, shared by every
# Database on it. Re-entrant, so a nested writer fails as before (busy timeout) instead of hanging.
_SQLITE_WRITE_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _sqlite_write_lock(url: str) -> threading.RLock:
    with _LOCKS_GUARD:
        return _SQLITE_WRITE_LOCKS.setdefault(url, threading.RLock())


class Database:
    def __init__(self, database_url: str):
        self.url = database_url
        self.engine = make_engine(database_url)
        self.dialect = self.engine.dialect.name
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(self.engine.execution_options(writes=True), expire_on_commit=False)
        self._write_lock = (_sqlite_write_lock(self.engine.url.render_as_string())
                            if self.dialect == "sqlite" else None)

    @contextlib.contextmanager
    def transaction(self, writes: bool = True) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back whole on any error."""
        if writes and self._write_lock is not None:
            with self._write_lock, self._writers() as session, session.begin():
                yield session
            return
        with (self._writers if writes else self._readers)() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def writers_held(self) -> Iterator[None]:
        """This process's writers held off (SQLite; nothing to hold on PostgreSQL), for work done on a
        connection of its own, such as a snapshot copied with SQLite's backup API."""
        if self._write_lock is None:
            yield
            return
        with self._write_lock:
            yield

    def dispose(self) -> None:
        self.engine.dispose()
