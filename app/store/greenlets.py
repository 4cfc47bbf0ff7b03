"""PostgreSQL from the event loop: units of work run in greenlets (SQLAlchemy's greenlet_spawn, see
kempelen.front) on psycopg's asyncio connections, so each round trip suspends its greenlet and the loop
serves other requests meanwhile, while the operation's own code stays synchronous.

Two kinds of connection. Units of work with a transaction (writes, reads that need the ORM) take theirs
from an AsyncEngine's pool, through SQLAlchemy's asyncio adapter. A prepared read outside any transaction
(GetHIT, a page of ListHITs: kempelen.store.prepared) takes a connection in autocommit from `AutocommitReaders`,
straight on psycopg: a pool checkout with its events, reset and autocommit switches cost more than the
read's own round trip.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import Engine
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


class OnLoop:
    """What one event loop uses (asyncio connections belong to the loop that made them): an AsyncEngine for
    units of work, its session makers, and the autocommit readers."""

    def __init__(self, threads_engine: Engine):
        """`threads_engine`: the Database's engine for threads, whose URL and connection arguments these use."""
        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.orm import sessionmaker

        cargs, cparams = threads_engine.dialect.create_connect_args(threads_engine.url)
        named = {} if "application_name" in cparams else {"application_name": APPLICATION_NAME}
        self.engine = create_async_engine(threads_engine.url, pool_size=POOL_SIZE, max_overflow=0,
                                          connect_args=named)
        db.ping_when_idle(self.engine.sync_engine)  # as the threads' engine does
        self.readers = sessionmaker(self.engine.sync_engine, expire_on_commit=False)
        self.write_engine = self.engine.sync_engine.execution_options(writes=True)
        self.writers = sessionmaker(self.write_engine, expire_on_commit=False)
        self.autocommit = AutocommitReaders((cargs, {**named, **cparams}))

    async def close(self) -> None:
        await self.autocommit.close()
        await self.engine.dispose()


class AutocommitReaders:
    """psycopg AsyncConnections in autocommit for one-statement reads from greenlets on one event loop: one per
    read in flight (at most AUTOCOMMIT_READERS), kept for the next. One idle for PING_AFTER_IDLE_SECONDS is
    pinged before use (the server may have restarted meanwhile) and replaced if dead; a read that fails with
    a disconnection drops every idle one."""

    def __init__(self, connect_args: tuple[list, dict]):
        self._connect_args = connect_args
        self._idle: list[tuple[float, object]] = []  # (idle since, connection), the latest last
        self._turns = asyncio.Semaphore(AUTOCOMMIT_READERS)

    def read(self, sql: str, parameters) -> list[tuple]:
        await_only(self._turns.acquire())
        try:
            return self._read(sql, parameters)
        finally:
            self._turns.release()

    def _read(self, sql: str, parameters) -> list[tuple]:
        connection = self._take()
        try:
            cursor = connection.cursor()
            await_only(cursor.execute(sql, parameters))
            found = await_only(cursor.fetchall())
        except Exception as exc:
            if connection.closed or connection.broken or isinstance(exc, db.disconnect_errors()):
                # the server dropped this one: a restart or an administrator drops all of them, so the idle
                # ones go too (as SQLAlchemy's pool invalidates itself), and the next reads connect anew
                dropped, self._idle = [connection for _since, connection in self._idle], []
                for gone in (connection, *dropped):
                    await_only(gone.close())
            else:
                self._idle.append((time.monotonic(), connection))
            raise
        self._idle.append((time.monotonic(), connection))
        return found

    def _take(self):
        while self._idle:  # bounded: each pass takes one connection off the list
            idle_since, connection = self._idle.pop()
            if connection.closed or connection.broken:
                continue
            if time.monotonic() - idle_since < db.PING_AFTER_IDLE_SECONDS:
                return connection
            try:
                await_only(connection.execute("SELECT 1"))
                return connection
            except Exception:  # noqa: BLE001 - any failure means this connection is gone
                await_only(connection.close())
        import psycopg

        cargs, cparams = self._connect_args
        return await_only(psycopg.AsyncConnection.connect(*cargs, autocommit=True, **cparams))

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _since, connection in idle:
            await connection.close()
