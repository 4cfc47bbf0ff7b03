"""Throwaway PostgreSQL databases for the suite (a plain module, so every test file imports the same one)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

from kempelen.store.db import Database
from kempelen.store.migrate import upgrade

POSTGRES_URL = os.environ.get("KEMPELEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("KEMPELEN_REQUIRE_POSTGRES", "") not in ("", "0")


def postgres_database():
    """(admin connection, database name, URL) of a new database, or a skip when there is no server
    (unless KEMPELEN_REQUIRE_POSTGRES says it must be there)."""
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    name = f"kempelen_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    return admin, name, f"{base}/{name}"


def drop(admin, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@contextlib.contextmanager
def database_url(kind: str) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" in a temporary directory, or a throwaway
    "postgresql" one), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kempelen-test-") as tmp:
            yield f"sqlite:///{tmp}/kempelen.db"
        return
    admin, name, url = postgres_database()
    try:
        yield url
    finally:
        drop(admin, name)


@contextlib.contextmanager
def migrated_database(kind: str) -> Iterator[Database]:
    """An empty database of `kind` at the migrations' head."""
    with database_url(kind) as url:
        database = Database(url)
        try:
            upgrade(database)
            yield database
        finally:
            database.dispose()


@contextlib.contextmanager
def live_server(kind: str):
    """`kempelen serve` on an empty database of `kind`, both gone afterwards."""
    from kempelen.testing import LiveServer

    if kind == "sqlite":
        with LiveServer() as live:
            yield live
        return
    with database_url(kind) as url, LiveServer(url) as live:
        yield live
