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


class KeptConnections:
    """SQLAlchemy Connections for units of work from greenlets on one event loop: one per unit in flight (at
    most POOL_SIZE; a unit that finds them all busy waits its turn without blocking the loop), kept for the
    next unit. One idle for PING_AFTER_IDLE_SECONDS is pinged before use (the server may have restarted
    meanwhile) and replaced if dead. One given back invalidated (its unit found it dropped: SQLAlchemy's own
    handling, or kempelen.store.db.invalidate_if_dropped) is closed, and every idle one with it: a restart
    drops them all, and the next units connect anew."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._idle: list[tuple[float, Connection]] = []  # (idle since, connection), the latest last
        self._turns = asyncio.Semaphore(POOL_SIZE)

    def take(self) -> Connection:
        await_only(self._turns.acquire())
        try:
            return self._take()
        except BaseException:
            self._turns.release()
            raise

    def _take(self) -> Connection:
        while self._idle:  # bounded: each pass takes one connection off the list
            idle_since, connection = self._idle.pop()
            if connection.closed or connection.invalidated:
                continue
            if time.monotonic() - idle_since < db.PING_AFTER_IDLE_SECONDS:
                return connection
            try:
                connection.exec_driver_sql("SELECT 1")
                connection.rollback()
                return connection
            except Exception:  # noqa: BLE001 - any failure means this connection is gone
                connection.close()  # (SQLAlchemy has invalidated it if the server dropped it)
        return self._engine.connect()

    def give_back(self, connection: Connection, clean: bool) -> None:
        """After a unit: kept for the next one if the unit committed (`clean`). One that ended in an error
        goes back to the pool instead, whose check-in rolls it back and discards it if that fails: an error
        may have left the driver mid-operation, and a kept connection in that state would fail every unit
        after it. One found dropped is closed, and every idle one with it."""
        try:
            if connection.invalidated or connection.closed:
                dropped, self._idle = [idle for _since, idle in self._idle], []
                for gone in (connection, *dropped):
                    _close(gone)
            elif not clean or connection.in_transaction():
                _close(connection)
            else:
                self._idle.append((time.monotonic(), connection))
        finally:
            self._turns.release()

    def close(self) -> None:
        """Close the idle connections (at shutdown; in a greenlet, as closing awaits the pool)."""
        idle, self._idle = self._idle, []
        for _since, connection in idle:
            connection.close()


def _close(connection: Connection) -> None:
    """Give `connection` back to the pool; one that cannot even be rolled back is discarded."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection: nothing of it is worth keeping
        with contextlib.suppress(Exception):
            connection.invalidate()
        with contextlib.suppress(Exception):
            connection.close()


def disconnect_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError


class AutocommitReaders:
    """asyncpg connections for one-statement reads from greenlets on one event loop: one per read in flight
    (at most AUTOCOMMIT_READERS), kept for the next. One idle for PING_AFTER_IDLE_SECONDS is pinged before
    use (the server may have restarted meanwhile) and replaced if dead; a read that fails with a
    disconnection drops every idle one."""

    def __init__(self, connect):
        self._connect = connect
        self._idle: list[tuple[float, object]] = []  # (idle since, connection), the latest last
        self._turns = asyncio.Semaphore(AUTOCOMMIT_READERS)

    def read(self, sql: str, parameters) -> list:
        await_only(self._turns.acquire())
        try:
            return self._read(sql, parameters)
        finally:
            self._turns.release()

    def _read(self, sql: str, parameters) -> list:
        connection = self._take()
        try:
            found = await_only(connection.fetch(sql, *parameters))
        except Exception as exc:
            if connection.is_closed() or isinstance(exc, disconnect_errors()):
                # the server dropped this one: a restart or an administrator drops all of them, so the idle
                # ones go too (as SQLAlchemy's pool invalidates itself), and the next reads connect anew
                dropped, self._idle = [connection for _since, connection in self._idle], []
                for gone in (connection, *dropped):
                    gone.terminate()
            else:
                self._idle.append((time.monotonic(), connection))
            raise
        self._idle.append((time.monotonic(), connection))
        return found

    def _take(self):
        while self._idle:  # bounded: each pass takes one connection off the list
            idle_since, connection = self._idle.pop()
            if connection.is_closed():
                continue
            if time.monotonic() - idle_since < db.PING_AFTER_IDLE_SECONDS:
                return connection
            try:
                await_only(connection.execute("SELECT 1"))
                return connection
            except Exception:  # noqa: BLE001 - any failure means this connection is gone
                connection.terminate()
        return await_only(self._connect())

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _since, connection in idle:
            await connection.close()
