"""Fixtures: a live server per database backend (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import os
import uuid

import pytest

from app.testing import LiveServer

POSTGRES_URL = os.environ.get("KEMPELEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("KEMPELEN_REQUIRE_POSTGRES", "") not in ("", "0")


def _postgres_database():
    """A throwaway database on the PostgreSQL server, or a skip when there is none (unless required)."""
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


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request):
    if request.param == "sqlite":
        with LiveServer() as live:
            yield live
        return
    admin, name, url = _postgres_database()
    try:
        with LiveServer(url) as live:
            yield live
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def credentials(server):
    """A fresh requester for each test: everything it creates is its own, so tests cannot collide."""
    return server.create_requester()


@pytest.fixture
def mturk(server, credentials):
    return server.client(credentials)


@pytest.fixture
def workforce(server):
    """Scripted workers on the parametrized server (the plugin's own fixture would start another one)."""
    return server.workforce()


@pytest.fixture
def clock(server):
    from app.testing.plugin import ServerClock

    return ServerClock(server)
