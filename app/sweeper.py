"""Writes down the transitions the clock decides: abandoned acceptances, auto-approvals.

Reads never wait for it (they judge status at their own moment, kempelen.domain.assignments.effective), so the
sweeper only keeps stored rows close to the truth. Under the system clock a daemon thread runs it every
second; under a manual clock it runs whenever the clock is moved. Rows are taken with SKIP LOCKED and HIT
announcements claimed by conditional updates, so several server processes on one PostgreSQL database may
sweep at once and each transition is written (and its event emitted) once.
"""

from __future__ import annotations

import logging
import threading

from kempelen.clock import Clock
from kempelen.operations.due import Swept, anything_due, apply_due_transitions
from kempelen.store.db import Database

log = logging.getLogger("kempelen.sweeper")


class Sweeper:
    def __init__(self, db: Database, clock: Clock, interval: float = 1.0):
        self.db, self.clock, self.interval = db, clock, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> Swept:
        """One batch of due transitions, in one transaction. Looks before locking: an idle sweep every
        second took SQLite's write lock and held up the event loop's requests for several milliseconds."""
        now = self.clock.now()
        if not anything_due(self.db, now):
            return Swept()
        with self.db.transaction(writes=True) as session:
            return apply_due_transitions(session, now)

    def run_until_done(self) -> None:
        """Every due transition (after the manual clock moved), batch by batch."""
        for _ in range(10_000):  # a bound, in case a row ever stayed due after being swept
            if not self.run_once().total:
                return
        log.error("due transitions did not settle after 10000 batches")

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
