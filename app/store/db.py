"""Engine and transactions: one transaction per operation, on SQLite or PostgreSQL (on SQLite's event loop,
one savepoint per operation inside a transaction shared by one turn's writes: CommitGroup)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as exc_module
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.util.concurrency import await_only, in_greenlet

log = logging.getLogger("kempelen.store")


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    if database_url.startswith("sqlite"):
        _ensure_sqlite_dir(database_url)
        engine = create_engine(database_url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20)
        _configure_sqlite(engine)
        return engine
    engine = create_engine(database_url, pool_size=10, max_overflow=20)
    ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 10.0


def ping_when_idle(engine: Engine) -> None:
    # pool_pre_ping would add a round trip to every checkout. A connection that was used a moment ago is
    # alive; one idle for a while (a restarted or failed-over server) is pinged first, and replaced if dead.
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_conn.rollback()
        except Exception as exc:  # noqa: BLE001 - any failure means this connection is gone
            raise exc_module.DisconnectionError() from exc


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


WAL_SIZE_LIMIT = 64 * 1024 * 1024


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
        # A WAL that a long read kept from restarting is cut back to this size when it next restarts.
        cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.info.pop(BEGUN_ON_DRIVER, False):  # a WriteUnit's, begun already (WriteUnit.open)
            return
        # A writing operation takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # reads and then writes could fail with SQLITE_BUSY instead of waiting its turn.
        # Straight to the driver: a full SQLAlchemy execute for "BEGIN" cost a tenth of a point read.
        conn.connection.dbapi_connection.execute(
            "BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")


#: set in a Connection's info: its driver is in a transaction already, so its next begin() sends no BEGIN
BEGUN_ON_DRIVER = "kempelen_begun_on_driver"


def _disconnect_errors() -> tuple[type[BaseException], ...]:
    import psycopg  # PostgreSQL only

    return psycopg.OperationalError, psycopg.InterfaceError


def invalidate_if_dropped(connection: Connection, exc: BaseException) -> None:
    """After a statement run on `connection`'s driver directly (kempelen.store.prepared) failed: if the
    database dropped the connection, invalidate it and the pool's older ones, as SQLAlchemy does when one of
    its own statements finds a connection dropped (a restart drops them all), so that the next unit connects
    anew instead of failing on another dead one."""
    fairy = connection.connection
    if connection.dialect.is_disconnect(exc, fairy.dbapi_connection, None):
        # what SQLAlchemy's own disconnect handling does: the pool's older connections, then this one
        connection.engine.pool._invalidate(fairy, exc, _checkin=False)
        connection.invalidate(exc)


# SQLite has one writer at a time. Writers of this process queue on a lock (woken the moment it is free)
# rather than in SQLite's busy handler, which sleeps and retries; one lock per database file, shared by every
# Database on it. Re-entrant, so a nested writer fails as before (busy timeout) instead of hanging.
class WriteLock:
    """The write lock of one SQLite file in this process: a re-entrant lock that an event loop can also wait
    for without blocking (wait_until_free), woken by each release."""

    def __init__(self):
        self._lock = threading.RLock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = []
        self._guard = threading.Lock()
        #: the CommitGroup holding the lock, while one is open (it holds the lock across turns of its loop)
        self.group: CommitGroup | None = None
        self._queued = 0  # threads blocked in acquire()

    def acquire(self, blocking: bool = True) -> bool:
        group = self.group
        if group is not None and group.thread == threading.get_ident():
            # Its own thread's group would let this holder in (the lock is re-entrant) beside a transaction
            # still open on another connection: the group commits first.
            group.end()
        if not blocking:
            return self._lock.acquire(blocking=False)
        if self._lock.acquire(blocking=False):
            return True
        with self._guard:
            self._queued += 1
        try:
            return self._lock.acquire()
        finally:
            with self._guard:
                self._queued -= 1

    @property
    def queued(self) -> bool:
        """Whether a thread is blocked waiting for the lock: the event loop lets it in before its next commit
        group (Database._open_group), which would otherwise take the lock again the moment the last one
        let it go, turn after turn, while the thread waited for the GIL."""
        return self._queued > 0

    def release(self) -> None:
        self._lock.release()
        with self._guard:
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_wake, future)

    __enter__ = acquire

    def __exit__(self, *_exc) -> None:
        self.release()

    async def wait_until_free(self) -> None:
        """Returns once a holder has released the lock since the call began (it may be taken again by the
        time the caller tries it; the caller tries again)."""
        future = asyncio.get_running_loop().create_future()
        with self._guard:
            self._waiters.append((asyncio.get_running_loop(), future))
        # released before we were registered, and no thread queued to take it next: no wake-up is coming
        if not self.queued and self._lock.acquire(blocking=False):
            self._lock.release()
            with self._guard:
                self._waiters = [(loop, f) for loop, f in self._waiters if f is not future]
            return
        await future


def _wake(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


_SQLITE_WRITE_LOCKS: dict[str, WriteLock] = {}
_LOCKS_GUARD = threading.Lock()


def _sqlite_write_lock(url: str) -> WriteLock:
    with _LOCKS_GUARD:
        return _SQLITE_WRITE_LOCKS.setdefault(url, WriteLock())


class Database:
    def __init__(self, database_url: str):
        self.url = database_url
        self.engine = make_engine(database_url)
        self.dialect = self.engine.dialect.name
        self._readers = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(writes=True)
        self._writers = sessionmaker(self._write_engine, expire_on_commit=False)
        self._write_lock = (_sqlite_write_lock(self.engine.url.render_as_string())
                            if self.dialect == "sqlite" else None)
        self._by_thread = threading.local()  # connections a thread keeps for itself (readers, writers)
        self._wal_checkpointer: Checkpointer | None = None
        self._group: CommitGroup | None = None  # SQLite: the event loop's open commit group, if any
        self._owned_connections: list = []
        # PostgreSQL: units of work run in greenlets on an event loop use asyncio connections of that loop
        # (kempelen.store.greenlets), so a round trip suspends the unit while the loop serves other requests.
        self.greenlets = self.dialect == "postgresql"
        self._on_loops: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._last_on_loop: tuple = (lambda: None, None)

    def in_greenlet(self) -> bool:
        """Whether the caller runs in a greenlet spawned on the event loop (SQLAlchemy's greenlet_spawn):
        its units of work then use that loop's asyncio connections. Any other connection there would block
        the loop, and could wait for a row lock held by a unit suspended on that same loop."""
        return self.greenlets and in_greenlet()

    def _on_loop(self):
        """This event loop's engine and readers (made on first use)."""
        loop = asyncio.get_running_loop()
        last_loop, last = self._last_on_loop
        if last_loop() is loop:  # a server has one loop: skip the weak mapping's lookup
            return last
        found = self._on_loops.get(loop)
        if found is None:
            from kempelen.store.greenlets import OnLoop

            found = self._on_loops[loop] = OnLoop(self.engine)
        self._last_on_loop = weakref.ref(loop), found
        return found

    async def close_on_loop(self) -> None:
        """Close the running loop's asyncio connections, on that loop (at shutdown)."""
        found = self._on_loops.pop(asyncio.get_running_loop(), None)
        self._last_on_loop = (lambda: None, None)
        if found is not None:
            await found.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[LazyRead]:
        """A read whose transaction begins only if something asks for its Session (see LazyRead)."""
        unit = LazyRead(self)
        try:
            yield unit
        except BaseException as exc:
            unit.close(exc)
            raise
        unit.close(None)

    def autocommit_reader(self):
        """How to run one SELECT outside any transaction (kempelen.store.prepared): (the dialect its statement
        is compiled for, a function of the SQL and its parameters that returns the rows). On SQLite on a
        connection of this thread's own (no BEGIN: isolation_level None, see _on_connect); on PostgreSQL on a
        pooled one in autocommit, or, in a greenlet on the event loop, on one of that loop's
        (kempelen.store.greenlets)."""
        if self.dialect == "sqlite":
            return self.engine.dialect, self._read_on_thread
        if self.in_greenlet():
            on_loop = self._on_loop()
            return on_loop.dialect, on_loop.autocommit.read
        return self.engine.dialect, self._read_pooled

    def _read_on_thread(self, sql: str, parameters) -> list[tuple]:
        driver = getattr(self._by_thread, "driver", None) or self._thread_reader()
        return driver.execute(sql, parameters).fetchall()

    def _read_pooled(self, sql: str, parameters) -> list[tuple]:
        connection = self.engine.raw_connection()
        try:
            driver = connection.dbapi_connection
            driver.autocommit = True
            try:
                cursor = driver.cursor()
                try:
                    cursor.execute(sql, parameters)
                    return cursor.fetchall()
                finally:
                    cursor.close()
            finally:
                if not driver.closed:
                    driver.autocommit = False
        except Exception as exc:
            # a dropped or restarted server: this connection is not given back, the next read takes another
            if isinstance(exc, _disconnect_errors()) or connection.dbapi_connection.closed:
                connection.invalidate(exc)
            raise
        finally:
            connection.close()

    def _write_connection(self, wait: bool) -> tuple[Connection, Release]:
        """A connection for a WriteUnit, and what to do with it after (see Release). On SQLite each writing thread keeps
        one of its own (taken out of the pool, closed by dispose()): writes take turns on the process's write
        lock anyway, and a checkout with its Connection cost a sixth of a CreateHIT; one that must not wait
        has a busy timeout of 0. On PostgreSQL, a pooled one, or, from a greenlet on the event loop, one of
        that loop's kept connections (kempelen.store.greenlets.KeptConnections)."""
        if self.dialect != "sqlite":
            if self.in_greenlet():
                kept = self._on_loop().units
                return kept.take(), kept.give_back
            return self._write_engine.connect(), _close
        name = "writer" if wait else "writer_not_waiting"
        connection = getattr(self._by_thread, name, None)
        if connection is None or connection.invalidated or connection.closed:
            connection = self._write_engine.connect()
            connection.detach()
            if not wait:
                driver = connection.connection.dbapi_connection
                driver.execute("PRAGMA busy_timeout=0")
                # its commits leave the WAL's checkpoints (page copies and an fsync) to a thread of their own
                driver.execute("PRAGMA wal_autocheckpoint=0")
            setattr(self._by_thread, name, connection)
            with _LOCKS_GUARD:
                self._owned_connections.append(connection)
        return connection, _close_if_invalidated

    def _thread_reader(self):
        # Taken out of the pool for good (a checkout per read cost a fifth of a GetHIT); closed by dispose().
        connection = self.engine.raw_connection()
        driver = self._by_thread.driver = connection.driver_connection
        connection.detach()
        with _LOCKS_GUARD:
            self._owned_connections.append(driver)
        return driver

    @contextlib.contextmanager
    def transaction(self, writes: bool = True) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back whole on any error."""
        if writes and self._write_lock is not None:
            with self._write_lock, self._writers() as session, session.begin():
                yield session
            return
        if self.in_greenlet():
            kept = self._on_loop().units
            connection, clean = kept.take(), False
            try:
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    yield session
                clean = True
            finally:
                kept.give_back(connection, clean)
            return
        makers = self._writers if writes else self._readers
        with makers() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def writing(self, *, wait: bool = True, begin_check: str | None = None, defer_check: bool = False,
                joined: list[CommitGroup] | None = None) -> Iterator[WriteUnit]:
        """A write operation's unit of work (see WriteUnit): committed whole on success, rolled back whole on
        any error. On SQLite it holds this process's write lock, as transaction(writes=True) does; with
        wait=False it raises WriteLockBusy at once, before anything is done, if this process or another one
        holds the lock (so a caller on the event loop can hand the write to a thread instead of blocking).
        `begin_check`, `defer_check`: see WriteUnit.begin_check_passed and WriteUnit.check_deferred.

        `joined` (SQLite, on the event loop, not waiting): the write joins this turn's CommitGroup instead,
        appended to `joined`; it is committed only when that group is (CommitGroup.committed), and its
        answer must wait for that."""
        if joined is not None and self._write_lock is not None:
            with self._in_group(joined) as unit:
                yield unit
            return
        lock = self._write_lock
        if lock is not None and not lock.acquire(blocking=wait):
            raise WriteLockBusy(in_this_process=True)
        try:
            try:
                unit = WriteUnit(self, *self._write_connection(wait), begin_check=begin_check,
                                 defer_check=defer_check)
            except Exception as exc:
                # the driver's error (raised by BEGIN IMMEDIATE in _on_begin), or SQLAlchemy's around it
                if not wait and _busy(exc):
                    raise WriteLockBusy(in_this_process=False) from exc
                raise
            with _settled(unit):
                yield unit
            if not wait and lock is not None:
                self._checkpointer().committed()
        finally:
            if lock is not None:
                lock.release()

    @contextlib.contextmanager
    def _in_group(self, joined: list[CommitGroup]) -> Iterator[WriteUnit]:
        group = self._group
        if group is None:
            group = self._group = self._open_group()
        joined.append(group)
        with _settled(GroupedWrite(self, group)) as unit:
            yield unit
        group.writes += 1

    def _open_group(self) -> CommitGroup:
        """A new CommitGroup on this thread's writer that does not wait, the write lock taken (WriteLockBusy,
        nothing done, if it is not free) and its transaction begun."""
        lock = self._write_lock
        if lock.queued or not lock.acquire(blocking=False):
            raise WriteLockBusy(in_this_process=True)
        try:
            loop = asyncio.get_running_loop()  # before BEGIN: a group is only for a write on an event loop
            connection, release = self._write_connection(wait=False)
            try:
                connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")
            except Exception as exc:
                if _busy(exc):
                    raise WriteLockBusy(in_this_process=False) from exc
                raise
            group = lock.group = CommitGroup(self, connection, release, loop)
        except BaseException:
            lock.release()
            raise
        return group

    def _group_ended(self, group: CommitGroup) -> None:
        """Called by `group` as it ends, its transaction over: the write lock is released."""
        self._group = self._write_lock.group = None
        self._write_lock.release()
        if group.writes:
            self._checkpointer().committed(group.writes)

    def _checkpointer(self) -> Checkpointer:
        if self._wal_checkpointer is None:
            with _LOCKS_GUARD:
                if self._wal_checkpointer is None:
                    self._wal_checkpointer = Checkpointer(self.engine, self._write_lock)
        return self._wal_checkpointer

    async def write_lock_released(self) -> None:
        """Wait, on the event loop, until a writer of this process releases the write lock (SQLite)."""
        if self._write_lock is not None:
            await self._write_lock.wait_until_free()

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
        group = self._group
        if group is not None and group.thread == threading.get_ident():
            group.end()
        # A group of another thread's loop, stopped before the turn that ends it, is left as it is: its writes
        # were never answered, and closing its connection below rolls them back.
        if self._wal_checkpointer is not None:
            self._wal_checkpointer.stop()
            self._wal_checkpointer = None
        with _LOCKS_GUARD:
            readers, self._owned_connections = self._owned_connections, []
        for reader in readers:
            reader.close()
        self.engine.dispose()
        # asyncio connections are closed on their loops (close_on_loop); any left are dropped with the loop


class Checkpointer:
    """Copies SQLite's WAL back into the database file on a thread of its own, every EVERY commits of the
    writes made on the event loop, whose connection does not checkpoint itself: the copy and its fsync would
    stall every request meanwhile.

    A pass copies in two steps. The first (PASSIVE: it never blocks writers or readers) copies nearly all
    while writes go on. The second, holding this process's write lock, copies the few commits made
    meanwhile, so the WAL is wholly copied back when the lock is released and the next writer starts it
    again from its beginning. Without it, writes that never pause (a busy server) always leave newer frames
    behind the copy: the WAL never restarted and grew without bound (820 MB after 30 s of CreateHIT), every
    commit extending the file, which cost ext4 a sixth of a CreateHIT's CPU zeroing the new blocks. The
    second step waits until the WAL holds RESTART_FRAMES frames, so writers are held up once in several
    passes, and the file, once grown to that size, is written over in place.
    """

    EVERY = 100  # a CreateHIT writes about ten pages; SQLite's own default is 1000 pages
    # The second step only once the WAL holds this many frames (32 MB of 4 KB pages, under journal_size_limit).
    # Taken every pass (100 commits), it cost CreateHIT a tenth of its rate and a quarter of its p90.
    RESTART_FRAMES = 8192

    def __init__(self, engine: Engine, write_lock: WriteLock):
        self._engine = engine
        self._write_lock = write_lock
        self._commits = 0
        self._due = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="kempelen-checkpoint", daemon=True)
        self._thread.start()

    def committed(self, writes: int = 1) -> None:
        self._commits += writes
        if self._commits >= self.EVERY:
            self._commits = 0
            self._due.set()

    def stop(self) -> None:
        self._stopped = True
        self._due.set()
        self._thread.join(timeout=5)

    def checkpoint(self, driver) -> None:
        """One pass, on `driver` (an sqlite3 connection of the pass's own)."""
        _busy, frames, _copied = driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames >= self.RESTART_FRAMES:
            with self._write_lock:
                driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _run(self) -> None:
        connection = None
        try:
            while True:
                self._due.wait()
                self._due.clear()
                if self._stopped:
                    return
                try:
                    if connection is None:
                        connection = self._engine.raw_connection()
                    self.checkpoint(connection.driver_connection)
                except Exception:  # noqa: BLE001 - a failed checkpoint is retried at the next; writes go on
                    if connection is not None:
                        connection.invalidate()
                    connection = None
        finally:
            if connection is not None:
                connection.close()


def _busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite's SQLITE_BUSY: the driver's error (raised by BEGIN IMMEDIATE), or SQLAlchemy's
    around it."""
    return "SQLITE_BUSY" in (getattr(exc, "sqlite_errorname", None),
                             getattr(getattr(exc, "orig", None), "sqlite_errorname", None))


class WriteLockBusy(Exception):
    """Database.writing(wait=False) found SQLite's write lock taken: nothing was done. In this process, the
    holder's release can be awaited (Database.write_lock_released); by another process, it cannot."""

    def __init__(self, *, in_this_process: bool):
        super().__init__("the write lock is taken" + (" in this process" if in_this_process else ""))
        self.in_this_process = in_this_process


class RunAgain(Exception):
    """A unit of work found that something this process remembered (kempelen.store.hits' known HIT types) is
    no longer in the database: it rolled back, and runs again once from the start with the memory gone."""


class RunCheckedFirst(Exception):
    """A unit that deferred its begin_check could not finish that way (the check failed, or its only
    statement declined to write): it wrote nothing, and the operation runs again with the check sent first."""


class LazyRead:
    """The Session of a read operation, opened (and its transaction begun) on first use.

    An operation answered from the requester cache and at most one prepared statement (GetHIT, a page of
    ListHITs, a sandbox GetAccountBalance) never opens it; anything else reaches the Session through this
    object's attributes, in one read transaction as before.
    """

    def __init__(self, db: Database):
        self._db = db
        self._context = None
        self._session: Session | None = None

    @property
    def unopened_database(self) -> Database | None:
        """The database, while no Session is open (kempelen.store.prepared runs on the driver then)."""
        return self._db if self._session is None else None

    def open(self) -> Session:
        if self._session is None:
            self._context = self._db.transaction(writes=False)
            self._session = self._context.__enter__()
        return self._session

    def __getattr__(self, name: str):
        return getattr(self.open(), name)

    def flush(self) -> None:
        if self._session is not None:  # nothing to flush in a Session never opened
            self._session.flush()

    def close(self, error: BaseException | None) -> None:
        if self._context is not None:
            context, self._context = self._context, None
            if error is None:
                context.__exit__(None, None, None)
            else:
                context.__exit__(type(error), error, error.__traceback__)


class WriteUnit:
    """A write operation's transaction: begun on a pooled connection (BEGIN IMMEDIATE on SQLite), with an
    ORM Session joining it on first use.

    Prepared statements (kempelen.store.prepared) run on the driver connection inside the transaction, after
    the Session (if open) has flushed what it holds; everything else reaches the Session through this
    object's attributes. An operation that needs only prepared statements (CreateHIT's common case) never
    builds a Session, whose unit-of-work machinery cost several times the statements themselves.
    """

    def __init__(self, db: Database, connection: Connection, release: Release, *, begin_check: str | None = None,
                 defer_check: bool = False):
        """`release`: what becomes of `connection` once the unit is over (see Database._write_connection).
        `begin_check`: a SELECT that may be sent with the BEGIN on PostgreSQL (see begin_check_passed).
        `defer_check`: hold the BEGIN and the check back until the first statement (see check_deferred)."""
        self.dialect = connection.dialect  # on the event loop, asyncpg's (kempelen.store.greenlets)
        self._connection, self._release_connection = connection, release
        self._driver = connection.connection.dbapi_connection
        # The transaction: on SQLite begun and ended on the driver, SQLAlchemy's Connection told of it only if
        # a Session joins (open): its begin and commit cost a CreateHIT as much as three of its statements.
        self._transaction = None
        # On the event loop, with a begin_check: the asyncpg connection whose transaction this unit begins and
        # ends itself (see _begin_with)
        self._own_transaction = None
        #: Whether begin_check found a row, when it was sent with the BEGIN (on the event loop, on PostgreSQL);
        #: None when it was not sent (the caller runs its check as a statement of the unit instead).
        self.begin_check_passed: bool | None = None
        self._session: Session | None = None
        #: The begin_check held back (defer_check, on asyncpg): sent with the BEGIN that the unit's first
        #: statement needs, or folded by the caller into the unit's only statement (alone).
        self._deferred_check: str | None = None
        #: The unit's only statement has run, in autocommit: there is nothing left to commit or roll back.
        self._alone = False
        try:
            if defer_check and begin_check is not None and self._may_begin_itself():
                self._deferred_check = begin_check
            else:
                self._begin(begin_check)
        except BaseException:
            self._begin_failed()
            raise

    @property
    def check_deferred(self) -> bool:
        """Whether the begin_check is still held back: nothing has been sent, and the caller trusts the
        cached account until the check goes out (a failed one raises RunCheckedFirst)."""
        return self._deferred_check is not None

    def _ready(self) -> None:
        """Before a statement: a BEGIN and check held back go out now."""
        if self._deferred_check is None and not self._alone:
            return
        if self._alone:
            raise RuntimeError("a statement after the unit's only one")
        check, self._deferred_check = self._deferred_check, None
        self._begin_with(check)
        if not self.begin_check_passed:
            raise RunCheckedFirst()

    def alone(self) -> tuple[Connection, Any] | None:
        """For a caller whose next statement is the unit's last and whose SQL makes the held-back check itself
        (the account still active and its key on): (the Connection, its asyncpg adapter in autocommit), so
        that statement commits itself, one round trip for the whole unit. None once anything has been sent."""
        if self._deferred_check is None or self._session is not None:
            return None
        self._deferred_check, self._alone = None, True
        adapter = self._own_transaction = self._driver
        adapter.isolation_level = "autocommit"
        return self._connection, adapter

    def _begin(self, begin_check: str | None) -> None:
        if self.dialect.name == "sqlite":
            self._driver.execute("BEGIN IMMEDIATE")
        elif begin_check is not None and self._may_begin_itself():
            self._begin_with(begin_check)
        else:
            self._transaction = self._connection.begin()

    def _begin_failed(self) -> None:
        self._end_own_transaction_after_error()
        self._connection.close()  # half begun: the next unit starts on a new one
        self._release_connection(self._connection, False)

    def _may_begin_itself(self) -> bool:
        adapter = self._driver
        return (self.dialect.driver == "asyncpg" and adapter._transaction is None
                and adapter.isolation_level is None and not adapter.readonly and not adapter.deferrable)

    def _begin_with(self, check: str) -> None:
        """On asyncpg: BEGIN and the check in one simple query, one round trip where asyncpg's own BEGIN and a
        prepared statement would take two. asyncpg's Transaction cannot be told of a BEGIN it did not send,
        so SQLAlchemy's adapter is put in autocommit for the unit (it then begins nothing of its own, and its
        commit is a no-op) and this unit sends COMMIT or ROLLBACK itself."""
        adapter = self._own_transaction = self._driver
        adapter.isolation_level = "autocommit"
        tag = self._send_own("BEGIN; " + check)
        self.begin_check_passed = tag != "SELECT 0"

    def _send_own(self, sql: str) -> str:
        adapter = self._own_transaction
        try:
            return await_only(adapter._connection.execute(sql))
        except Exception as error:
            invalidate_if_dropped(self._connection, error)
            adapter._handle_exception(error)  # raises the error as the adapter's own statements would
            raise

    def _end_own_transaction_after_error(self) -> None:
        """After a failure: a transaction of this unit's own still open (the BEGIN went through, the check
        failed) is rolled back; a connection on which even that fails is invalidated."""
        adapter = self._own_transaction
        if adapter is None:
            return
        try:
            if not adapter._connection.is_closed() and adapter._connection.is_in_transaction():
                self._send_own("ROLLBACK")
        except Exception:  # noqa: BLE001 - the connection is unusable; the error that matters is raised
            with contextlib.suppress(Exception):
                self._connection.invalidate()
        finally:
            adapter.isolation_level = None

    unopened_database = None  # prepared reads run in this transaction (kempelen.store.prepared)

    def bound_connection(self) -> Connection:
        """The unit's Connection (its transaction begun)."""
        self._ready()
        return self._connection

    def driver(self):
        """The driver connection, in this unit's transaction, with the Session's pending changes flushed."""
        self._ready()
        if self._session is not None:
            self._session.flush()
        return self._driver

    def open(self) -> Session:
        self._ready()
        if self._session is None:
            if self._transaction is None:
                if self.dialect.name == "sqlite":  # the Connection takes over the driver's transaction
                    self._connection.info[BEGUN_ON_DRIVER] = True
                # (a transaction of the unit's own: the adapter is in autocommit, so this begins nothing)
                self._transaction = self._connection.begin()
            # joins the transaction begun above; committing or rolling it back stays with this unit
            self._session = Session(bind=self._connection, expire_on_commit=False,
                                    join_transaction_mode="rollback_only")
        return self._session

    def __getattr__(self, name: str):
        return getattr(self.open(), name)

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    def commit(self) -> None:
        try:
            self._commit_work()
        except BaseException:
            self.rollback()
            raise
        self._close(clean=True)

    def _commit_work(self) -> None:
        if self._alone:
            return  # its only statement committed itself
        self._ready()  # when nothing was sent: the key is still checked before the unit counts as done
        self.flush()
        if self._transaction is not None:
            self._transaction.commit()
        if self._own_transaction is not None:
            self._send_own("COMMIT")
        elif self._transaction is None:
            self._driver.execute("COMMIT")

    def rollback(self) -> None:
        untouched = self._deferred_check is not None  # nothing was ever sent on the connection
        try:
            if self._transaction is not None:
                if self._transaction.is_active:
                    self._transaction.rollback()
            elif self._own_transaction is None and not untouched and self._driver.in_transaction:
                self._driver.execute("ROLLBACK")
        finally:
            self._end_own_transaction_after_error()
            self._close(clean=untouched)

    def _close(self, *, clean: bool) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            session.close()
        if self._own_transaction is not None:
            self._own_transaction.isolation_level = None  # as the next unit on this connection expects
        self._release_connection(self._connection, clean)


#: What becomes of a unit's connection after it: release(connection, clean), clean when it committed.
Release = Callable[[Connection, bool], None]


def _close(connection: Connection, _clean: bool) -> None:
    connection.close()  # back to the pool


@contextlib.contextmanager
def _settled(unit: WriteUnit) -> Iterator[WriteUnit]:
    """`unit`, committed if the block ends normally, else rolled back (and the error raised on)."""
    try:
        yield unit
    except BaseException:
        unit.rollback()
        raise
    unit.commit()


def _kept(_connection: Connection, _clean: bool) -> None:
    pass  # a CommitGroup's write: the group releases the connection when it ends


_SAVEPOINT = "kempelen_write"


class GroupedWrite(WriteUnit):
    """A write in a CommitGroup's transaction, in a savepoint of its own: released when it succeeds, rolled
    back to when it fails, so it changes all or nothing as a transaction of its own would."""

    def __init__(self, db: Database, group: CommitGroup):
        self._group = group
        super().__init__(db, group.connection, _kept)

    def _begin(self, _begin_check: None) -> None:
        self._driver.execute(f"SAVEPOINT {_SAVEPOINT}")

    def _begin_failed(self) -> None:
        self._group.broken = True  # its transaction is in a state no write can vouch for: it rolls back

    def open(self) -> Session:
        if self._session is None:
            # The Session takes a savepoint of its own inside the write's: however it ends, what it rolls back
            # stays within this write, never the group's other writes.
            self._session = Session(bind=self._group.sqlalchemy_transaction().connection, expire_on_commit=False,
                                    join_transaction_mode="create_savepoint")
        return self._session

    def _commit_work(self) -> None:
        if self._session is not None:
            self._session.commit()  # flushed, its savepoint released
        self._driver.execute(f"RELEASE {_SAVEPOINT}")

    def rollback(self) -> None:
        try:
            if self._session is not None:
                session, self._session = self._session, None
                session.close()  # its savepoint rolled back
            self._driver.execute(f"ROLLBACK TO {_SAVEPOINT}")
            self._driver.execute(f"RELEASE {_SAVEPOINT}")
        except Exception:  # noqa: BLE001 - the caller's error is the one raised
            self._group.broken = True  # what this write did could not be undone alone
        finally:
            self._close(clean=False)


class CommitGroup:
    """SQLite, on the event loop: the writes of one turn of the loop committed together (group commit).

    Under load the loop runs a turn's ready requests one after another; each write's own BEGIN IMMEDIATE and
    COMMIT (the COMMIT writing every page it touched to the WAL) cost a CreateHIT a third of its statements'
    time, while the next write of the same turn touches mostly the same pages. So the turn's first write
    begins a transaction, holding this process's write lock, and schedules its end for the loop's next turn
    (call_soon: after every request already ready has run); each write runs in a savepoint of its own in it,
    so an error rolls back that write alone, as its own transaction would. Its answer waits for `committed`:
    no client hears of a write before it is durable. Should the COMMIT itself fail, every write of the group
    is undone, and each runs again alone (kempelen.front).

    Another holder of the lock on the loop's own thread (which the re-entrant lock would let in) ends the
    group first (WriteLock.acquire); other threads wait for the lock as for any writer.
    """

    def __init__(self, db: Database, connection: Connection, release: Release, loop: asyncio.AbstractEventLoop):
        self.connection, self._release = connection, release
        self.driver = connection.connection.dbapi_connection
        self.thread = threading.get_ident()
        #: True once committed; False if the group rolled back (each write then changed nothing)
        self.committed: asyncio.Future = loop.create_future()
        self.writes = 0
        #: set when a write's rollback failed: the group ends by rolling back
        self.broken = False
        self._db = db
        self._transaction = None
        self._open = True
        loop.call_soon(self.end)

    def sqlalchemy_transaction(self):
        """SQLAlchemy's transaction on the connection, told of the one begun on the driver (for a Session)."""
        if self._transaction is None:
            self.connection.info[BEGUN_ON_DRIVER] = True
            self._transaction = self.connection.begin()
        return self._transaction

    def end(self) -> None:
        """Commits (or, broken, rolls back) the group's transaction, releases the lock and the connection, and
        resolves `committed`. Once; later calls do nothing."""
        if not self._open:
            return
        self._open = False
        done = False
        try:
            if not self.broken:
                if self._transaction is not None:
                    self._transaction.commit()
                else:
                    self.driver.execute("COMMIT")
                done = True
        except Exception:  # noqa: BLE001 - every write of the group runs again; the cause goes to the log
            log.exception("a group commit of %d writes failed; each runs again alone", self.writes)
        finally:
            if not done:
                self._roll_back()
            self._release(self.connection, done)
            self._db._group_ended(self)
            self.committed.set_result(done)

    def _roll_back(self) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
            elif self.driver.in_transaction:
                self.driver.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - a connection that cannot even roll back is not used again
            self.connection.invalidate()
            self.connection.close()


def _close_if_invalidated(connection: Connection, _clean: bool) -> None:
    # a thread's own SQLite writer is kept for its next unit, unless it has been invalidated
    if connection.invalidated:
        connection.close()
