"""Throwaway PostgreSQL databases for the suite (a plain module, so every test file imports the same one)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kempelen.store.db import Database
from kempelen.store.migrate import upgrade

POSTGRES_URL = os.environ.get("KEMPELEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("KEMPELEN_REQUIRE_POSTGRES", "") not in ("", "0")


def postgres_database():
    """(admin connection, database name, URL) of a new database at the migrations' head, or a skip when
    there is no server (unless KEMPELEN_REQUIRE_POSTGRES says it must be there)."""
    admin = _postgres_admin()
    name = f"kempelen_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_postgres_template()}"')
    return admin, name, _postgres_url(name)


def _postgres_admin():
    import psycopg

    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {exc}")


def _postgres_url(name: str) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"


# Every server the suite starts would otherwise migrate an empty database first: a second of CPU each, some
# sixty times. Each test process migrates one template per database kind, once, and copies it (what the
# migrations build is checked on its own, by tests/unit/test_migrations.py and the CLI's db upgrade tests).
@functools.cache
def _postgres_template() -> str:
    admin = _postgres_admin()
    name = f"kempelen_template_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    atexit.register(drop, admin, name)
    _migrate(_postgres_url(name))
    return name


@functools.cache
def _sqlite_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="kempelen-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _migrate(f"sqlite:///{directory}/kempelen.db")
    return directory / "kempelen.db"


def _migrate(url: str) -> None:
    database = Database(url)
    try:
        upgrade(database)
    finally:
        database.dispose()


def drop(admin, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@contextlib.contextmanager
def database_url(kind: str) -> Iterator[str]:
    """The URL of an empty database of `kind` at the migrations' head ("sqlite" in a temporary directory,
    or a throwaway "postgresql" one), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kempelen-test-") as tmp:
            shutil.copyfile(_sqlite_template(), f"{tmp}/kempelen.db")
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

    with database_url(kind) as url, LiveServer(url) as live:
        yield live
