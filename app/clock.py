"""The only place that reads the wall clock.

Every time-driven rule (HIT expiry, assignment deadlines, auto-approval, retry delays) asks a ``Clock``,
so a server started with ``--clock manual`` can be fast-forwarded by a test or a CI pipeline.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


def wall_time() -> datetime:
    """Real time, whatever the service clock says.

    Only for facts about the outside world: a SigV4 signature is dated by the client's real clock, so its
    skew must be judged against real time even while the service clock has been moved 30 days ahead.
    Notification delivery is scheduled on it too: a destination's outage and recovery happen in real time.
    """
    return datetime.now(timezone.utc)


def _to_ms(when: datetime) -> datetime:
    # The wire carries milliseconds; keeping no more makes stored and reported times equal.
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


class Clock(Protocol):
    mode: str

    def now(self) -> datetime: ...


class SystemClock:
    mode = "system"

    def now(self) -> datetime:
        return _to_ms(wall_time())


class ManualClock:
    """A clock that stands still until it is set or advanced (tests, CI)."""

    mode = "manual"
    # Between the epoch and year 9000: every deadline the service computes (a HIT's lifetime, a century of
    # retry delay) must still fit in a datetime, and times before 1970 have no epoch milliseconds.
    EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
    LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)

    def __init__(self, start: datetime | None = None):
        self._now = _to_ms((start or wall_time()).astimezone(timezone.utc))
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("the time must carry a timezone, e.g. 2026-01-01T00:00:00Z")
        with self._lock:
            self._now = self._within(when.astimezone(timezone.utc))
            return self._now

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock only moves forward; use set() to go back")
        with self._lock:
            try:
                later = self._now + timedelta(seconds=seconds)
            except OverflowError:
                later = datetime.max.replace(tzinfo=timezone.utc)
            self._now = self._within(later)
            return self._now

    def _within(self, when: datetime) -> datetime:
        if not self.EARLIEST <= when < self.LATEST:
            raise ValueError(f"the clock must stay between {self.EARLIEST:%Y-%m-%d} and {self.LATEST:%Y-%m-%d}")
        return _to_ms(when)


def make_clock(mode: str, start: datetime | None = None) -> Clock:
    if mode == "system":
        return SystemClock()
    if mode == "manual":
        return ManualClock(start)
    raise ValueError(f"unknown clock mode {mode!r}: use 'system' or 'manual'")


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)
