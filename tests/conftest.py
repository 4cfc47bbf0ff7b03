"""Fixtures: a live server per database backend (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import pytest

from tests.databases import live_server


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request):
    with live_server(request.param) as live:
        yield live


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
    from kempelen.testing.plugin import ServerClock

    return ServerClock(server)
