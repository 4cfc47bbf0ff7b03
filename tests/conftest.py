"""Fixtures: a live server per database backend (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import functools

import pytest

from tests.databases import live_server


def _share_httpx_tls_context() -> None:
    """httpx builds a new TLS context for every client, reading the whole CA bundle (27 ms of CPU each),
    though the suite speaks plain HTTP to loopback; thousands of `httpx.get(...)` and `httpx.Client()` made
    it an eighth of the test processes' CPU. Every default-verifying client now shares one. (If httpx moves
    the function, nothing breaks: clients just cost what they did.)"""
    from httpx._transports import default

    create = getattr(default, "create_ssl_context", None)
    if create is None:
        return
    shared = functools.cache(lambda: create(verify=True, cert=None, trust_env=True))

    def create_ssl_context(verify=True, cert=None, trust_env=True):
        if verify is True and cert is None and trust_env:
            return shared()
        return create(verify=verify, cert=cert, trust_env=trust_env)

    default.create_ssl_context = create_ssl_context


_share_httpx_tls_context()


@pytest.hookimpl(trylast=True)  # after pytest has grouped the items by their parametrized fixtures
def pytest_collection_modifyitems(items):
    """Tests marked `long` (tens of seconds each, on servers or environments of their own) go first. pytest-xdist
    hands each worker a contiguous share of the list and lets idle workers steal from the end of the busiest
    share, so a long test late in the list ends the run alone, with the other workers idle; first, the other
    workers take the short ones around it."""
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("long") is None)  # stable


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
