"""PostgreSQL from the event loop: units of work run in greenlets (SQLAlchemy's greenlet_spawn, see
kempelen.front) on asyncpg connections, so each round trip suspends its greenlet and the loop serves other
requests meanwhile, while the operation's own code stays synchronous.

Why asyncpg here, while threads (the sweeper, the sites' pages, the CLI) use psycopg: on the event loop a
round trip's Python cost is what limits a server, and asyncpg's protocol runs in compiled code, with its
statements prepared once per connection. Measured on 16 connections with one SELECT each: 24 us of CPU a
query against psycopg's asyncio connection's 57 to 69 us (2026-11-28, this project's 2-core machine).

Two kinds of connection, each kept from one use to the next rather than checked out of a pool and back:
on the event loop a checkout and check-in (the pool's asyncio queue, its events, a new Connection) cost
about 115 us of CPU, a third of a unit of three statements. Units of work with a transaction (writes, reads
that need the ORM) take a SQLAlchemy Connection from `KeptConnections` (made by an AsyncEngine, through
SQLAlchemy's asyncpg dialect). A prepared read outside any transaction (GetHIT, a page of ListHITs:
kempelen.store.prepared) takes a connection from `AutocommitReaders`, straight on asyncpg (outside a
transaction every statement commits itself).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, Engine
from sqlalchemy.util.concurrency import await_only

from kempelen.store import db

# Connections of one process's event loop: for units of work (the pool, no overflow: an overflow connection
# is opened and closed per request, which under load cost more than the requests) and for autocommit reads.
# Both are opened on demand, so a quiet server holds few; a request that finds them all in use waits its
# turn without blocking the loop. Two processes at most 2 x 40, under PostgreSQL's default of 100 clients.
POOL_SIZE = 20
AUTOCOMMIT_READERS = 20
# how these connections show in pg_stat_activity (unless the database URL names its own application_name)
APPLICATION_NAME = "kempelen-loop"


def connector(threads_engine: Engine):
    """A coroutine function that opens an asyncpg connection to the database of `threads_engine` (whose URL
    is written for psycopg: libpq's form, which asyncpg reads too)."""
    import asyncpg

    url = threads_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    scheme, netloc, path, query, fragment = urlsplit(url)
    options = dict(parse_qsl(query))
    # libpq's connect_timeout is asyncpg's timeout argument (asyncpg would send it on as a server setting)
    timeout = float(options.pop("connect_timeout", 60))
    settings = {} if "application_name" in options else {"application_name": APPLICATION_NAME}
    dsn = urlunsplit((scheme, netloc, path, urlencode(options), fragment))

    def connect():
        return asyncpg.connect(dsn, timeout=timeout, server_settings=settings)

    return connect


class OnLoop:
    """What one event loop uses (asyncio connections belong to the loop that made them): the connections of
    units of work, made by an AsyncEngine, and the autocommit readers."""

    def __init__(self, threads_engine: Engine):
        """`threads_engine`: the Database's engine for threads, whose database these connect to."""
        from sqlalchemy.ext.asyncio import create_async_engine

        connect = connector(threads_engine)
        # (the pool only opens them: KeptConnections holds at most POOL_SIZE of its connections at once)
        self.engine = create_async_engine("postgresql+asyncpg://", async_creator=connect,
                                          pool_size=POOL_SIZE, max_overflow=0)
        self.dialect = self.engine.dialect
        db.ping_when_idle(self.engine.sync_engine)  # as the threads' engine does, for those given back to it
        self.units = KeptConnections(self.engine.sync_engine)
        self.autocommit = AutocommitReaders(connect)

    async def close(self) -> None:
        from sqlalchemy.util.concurrency import greenlet_spawn

        await self.autocommit.close()
        await greenlet_spawn(self.units.close)
        await self.engine.dispose()


class _Kept:
    """Connections of one kind kept on one event loop for greenlets: at most `size` in use at once (one
    that finds them all busy waits its turn without blocking the loop), each kept for the next use. One idle
    for PING_AFTER_IDLE_SECONDS is pinged before use (the server may have restarted meanwhile) and replaced
    if dead; when one is found dropped, every idle one goes with it (a restart drops them all, and the next
    uses connect anew). Subclasses say how to open, test, ping and discard their kind."""

    def __init__(self, size: int):
        self._idle: list[tuple[float, object]] = []  # (idle since, connection), the latest last
        self._turns = _Turns(size)

    def _take(self):
        """A turn and a connection (the caller gives the turn back with _turn_over)."""
        self._turns.take()
        try:
            while self._idle:  # bounded: each pass takes one connection off the list
                idle_since, connection = self._idle.pop()
                if self._gone(connection):
                    continue
                if time.monotonic() - idle_since < db.PING_AFTER_IDLE_SECONDS:
                    return connection
                try:
                    self._ping(connection)
                    return connection
                except Exception:  # noqa: BLE001 - any failure means this connection is gone
                    self._discard(connection)
            return self._open()
        except BaseException:
            self._turns.give_back()
            raise

    def _keep(self, connection) -> None:
        self._idle.append((time.monotonic(), connection))

    def _drop_all(self, connection) -> None:
        dropped, self._idle = [idle for _since, idle in self._idle], []
        for gone in (connection, *dropped):
            self._discard(gone)

    def _turn_over(self) -> None:
        self._turns.give_back()

    def _idle_ones(self) -> list:
        idle, self._idle = self._idle, []
        return [connection for _since, connection in idle]


class _Turns:
    """At most `size` holders at once, for greenlets on one event loop: a free turn is taken at once, with no
    trip through the loop (an asyncio.Semaphore's acquire must be awaited, a greenlet switch each way, even
    when a turn is free); otherwise the greenlet waits, first come first served, for one given back."""

    def __init__(self, size: int):
        self._free = size
        self._waiting: collections.deque[asyncio.Future] = collections.deque()

    def take(self) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            await_only(waiter)  # resolved by give_back, which hands its turn straight to this waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.give_back()  # handed a turn, but leaving (cancelled meanwhile): pass it on
            else:
                with contextlib.suppress(ValueError):  # (give_back may have dropped it, cancelled, already)
                    self._waiting.remove(waiter)
            raise

    def give_back(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class KeptConnections(_Kept):
    """SQLAlchemy Connections for units of work (at most POOL_SIZE). Only a unit that committed keeps its
    connection; one given back invalidated (its unit found it dropped: SQLAlchemy's own handling, or
    kempelen.store.db.invalidate_if_dropped) is closed, and every idle one with it."""

    def __init__(self, engine: Engine):
        super().__init__(POOL_SIZE)
        self._engine = engine

    def take(self) -> Connection:
        return self._take()

    def give_back(self, connection: Connection, clean: bool) -> None:
        """After a unit: kept for the next one if the unit committed (`clean`). One that ended in an error
        goes back to the pool instead, whose check-in rolls it back and discards it if that fails: an error
        may have left the driver mid-operation, and a kept connection in that state would fail every unit
        after it."""
        try:
            if self._gone(connection):
                self._drop_all(connection)
            elif not clean or connection.in_transaction():
                self._discard(connection)
            else:
                self._keep(connection)
        finally:
            self._turn_over()

    def close(self) -> None:
        """Close the idle connections (at shutdown; in a greenlet, as closing awaits the pool)."""
        for connection in self._idle_ones():
            connection.close()

    def _open(self) -> Connection:
        return self._engine.connect()

    @staticmethod
    def _gone(connection: Connection) -> bool:
        return connection.closed or connection.invalidated

    @staticmethod
    def _ping(connection: Connection) -> None:
        connection.exec_driver_sql("SELECT 1")
        connection.rollback()

    @staticmethod
    def _discard(connection: Connection) -> None:
        """Give `connection` back to the pool; one that cannot even be rolled back is discarded."""
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection: nothing of it is worth keeping
            with contextlib.suppress(Exception):
                connection.invalidate()
            with contextlib.suppress(Exception):
                connection.close()


def fetch_in_transaction(adapter, sql: str, parameters) -> list:
    """The rows of one statement of a unit of work, on `adapter` (SQLAlchemy's adapter of a loop connection),
    run straight on asyncpg: the adapter's cursor around it (a lock, a statement cache of its own, a
    description, a regex over the status) cost more CPU than asyncpg's own work. The transaction is begun
    as the adapter's cursor begins it, so SQLAlchemy still commits or rolls it back, and an error comes out
    as the cursor would raise it (the DBAPI's IntegrityError for a unique violation, say)."""
    try:
        if adapter._transaction is None:
            await_only(adapter._start_transaction())
        return await_only(adapter._connection.fetch(sql, *parameters))
    except Exception as error:
        adapter._handle_exception(error)  # raises the translated error
        raise


def _disconnect_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError


class AutocommitReaders(_Kept):
    """asyncpg connections for one-statement reads (at most AUTOCOMMIT_READERS); a read that fails with a
    disconnection drops every idle one."""

    def __init__(self, connect):
        super().__init__(AUTOCOMMIT_READERS)
        self._connect = connect

    def read(self, sql: str, parameters) -> list:
        connection = self._take()
        try:
            found = await_only(connection.fetch(sql, *parameters))
        except Exception as exc:
            if connection.is_closed() or isinstance(exc, _disconnect_errors()):
                self._drop_all(connection)  # (as SQLAlchemy's pool invalidates itself)
            else:
                self._keep(connection)
            raise
        else:
            self._keep(connection)
        finally:
            self._turn_over()
        return found

    async def close(self) -> None:
        for connection in self._idle_ones():
            await connection.close()

    def _open(self):
        return await_only(self._connect())

    @staticmethod
    def _gone(connection) -> bool:
        return connection.is_closed()

    @staticmethod
    def _ping(connection) -> None:
        await_only(connection.execute("SELECT 1"))

    @staticmethod
    def _discard(connection) -> None:
        connection.terminate()
