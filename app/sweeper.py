"""Writes down the transitions the clock decides: abandoned acceptances, auto-approvals.

Reads never wait for it (they judge status at their own moment, app.domain.assignments.effective), so the
sweeper only keeps stored rows close to the truth. Under the system clock a daemon thread runs it every
second; under a manual clock it runs whenever the clock is moved. Its updates are conditional, so several
server processes on one PostgreSQL database may sweep at once.
"""

from __future__ import annotations

import logging
import threading

from app.clock import Clock
from app.store import assignments
from app.store.db import Database

log = logging.getLogger("kempelen.sweeper")


class Sweeper:
    def __init__(self, db: Database, clock: Clock, interval: float = 1.0):
        self.db, self.clock, self.interval = db, clock, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> tuple[int, int]:
        """(abandoned, approved) rows written."""
        with self.db.transaction(writes=True) as session:
            return assignments.settle_due(session, self.clock.now())

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="kempelen-sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):  # an interval between sweeps, not a service-clock read
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - a failed sweep is retried next interval; reads stay right
                log.exception("sweep failed")
