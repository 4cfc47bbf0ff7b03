"""The pytest plugin (registered as the ``kempelen`` pytest11 entry point).

Fixtures:
- ``kempelen``: a live server (``kempelen serve --clock manual``) on a temporary SQLite database, one per
  test session; ``KEMPELEN_TEST_DATABASE_URL`` points it at another database (e.g. PostgreSQL) instead.
- ``kempelen_requester``: fresh requester credentials for each test, so tests never see each other's HITs.
- ``mturk``: a boto3 ``mturk`` client for that requester, bound to the server.
- ``kempelen_clock``: the server's manual clock: ``.now()``, ``.advance(seconds)``, ``.set(datetime)``.
- ``workforce``: scripted workers: ``worker = workforce.new()``, ``worker.accept(hit_id)``, ``worker.submit(
  assignment, {"q1": "cat"})``, ``worker.return_(assignment)``; and simulated crowds: ``workforce.crowd(200,
  policy=RandomAnswers(), seed=7).run(until_done=True)`` (kempelen.testing.crowd).
- ``kempelen_faults``: the server's fault rules (``.set_faults({"kind": "throttle", "share": 0.5})``), cleared
  after the test.

State between tests, on the ``kempelen`` server: ``kempelen.reset()`` (or ``reset(requester=key)``,
``reset(everything=True)``), ``kempelen.save_snapshot("name")`` and ``kempelen.restore_snapshot("name")``.

A project's own fixtures of the same names win over these, as pytest always lets a conftest.py do.
"""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from kempelen.testing.server import LiveServer
from kempelen.testing.workforce import Workforce


class ServerClock:
    """The manual clock of a live server, moved through its admin route."""

    def __init__(self, server: LiveServer):
        self._server = server

    def now(self) -> datetime:
        return self._server.now()

    def advance(self, seconds: float) -> datetime:
        return self._server.advance_clock(seconds)

    def set(self, when: datetime) -> datetime:
        return self._server.set_clock(when)


@pytest.fixture(scope="session")
def kempelen():
    with LiveServer(os.environ.get("KEMPELEN_TEST_DATABASE_URL") or None) as server:
        yield server


@pytest.fixture
def kempelen_requester(kempelen) -> dict[str, str]:
    return kempelen.create_requester()


@pytest.fixture
def mturk(kempelen, kempelen_requester):
    return kempelen.client(kempelen_requester)


@pytest.fixture
def kempelen_clock(kempelen) -> ServerClock:
    return ServerClock(kempelen)


@pytest.fixture
def workforce(kempelen) -> Workforce:
    return kempelen.workforce()


@pytest.fixture
def kempelen_faults(kempelen):
    """The server, for setting fault rules (``set_faults``, ``faults``); none are left after the test."""
    yield kempelen
    kempelen.set_faults()
