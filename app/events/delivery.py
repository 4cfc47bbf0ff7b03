"""Delivery of queued event documents (``notification_delivery`` rows) to their destinations.

A Deliverer runs in every server process, under either clock: delivery is about the outside world, so its
schedule (retries, leases) is real time from kempelen.clock.wall_time, never the service clock. A pass claims
due rows in seq order, leasing them (a conditional update; SKIP LOCKED on PostgreSQL) so concurrent
processes send each row once, then sends outside any transaction and records the outcome. A failure is
retried with exponential backoff; after MAX_ATTEMPTS the row is given up as Failed. Delivery is at least
once: a process that dies mid-send leaves its lease to expire, and the row is sent again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from kempelen.clock import wall_time
from kempelen.config import Settings
from kempelen.events import transports
from kempelen.events.outbox import DELIVERED, FAILED, PENDING
from kempelen.faults import Faults
from kempelen.store.db import Database
from kempelen.store.models import NotificationDelivery, UTCDateTime
from kempelen.store.prepared import PreparedRead, rows

log = logging.getLogger("kempelen.delivery")

# A claimed batch must be sent within its lease: BATCH sends of at most ~20 s each (the transports' timeouts).
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
MAX_ATTEMPTS = 80  # about three days of hourly retries after the first doublings
BATCH = 10


def _free(now):
    """Not leased, or leased by a pass whose lease ran out."""
    return NotificationDelivery.claimed_until.is_(None) | (NotificationDelivery.claimed_until < now)


def _claimable(after, now, ignore_schedule: bool):
    """Pending rows after seq `after` that a pass may claim at `now` (due by their schedule, unless ignored)."""
    condition = and_(NotificationDelivery.status == PENDING, NotificationDelivery.seq > after, _free(now))
    return condition if ignore_schedule else and_(condition, NotificationDelivery.next_attempt_at <= now)


_ANY_CLAIMABLE = {ignore: PreparedRead(select(NotificationDelivery.seq).where(
    _claimable(bindparam("after"), bindparam("now", type_=UTCDateTime()), ignore)).limit(1))
    for ignore in (False, True)}


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the attempts-th failure: the configured first delay, doubled each time, capped."""
    seconds = settings.delivery_retry_seconds * 2 ** min(attempts - 1, 30)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


@dataclass
class Pass:
    delivered: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.failed


class Deliverer:
    def __init__(self, db: Database, settings: Settings, faults: Faults | None = None):
        self.db, self.settings, self.faults = db, settings, faults
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()  # one pass at a time in this process (the loop or a flush)

    def run_once(self, *, ignore_schedule: bool = False) -> Pass:
        """Every row due now (or, ignoring the schedule, every pending row) attempted once."""
        result, after = Pass(), 0
        with self._running:
            while not self._stop.is_set():
                claimed = self._claim(after, ignore_schedule)
                if not claimed:
                    return result
                outcomes = [(row, self._send(row)) for row in claimed]
                # One write transaction per batch, not per row: under load the writer lock is the bottleneck.
                self._record(outcomes)
                for _, error in outcomes:
                    if error is None:
                        result.delivered += 1
                    else:
                        result.failed += 1
                after = claimed[-1].seq
        return result

    def _claim(self, after: int, ignore_schedule: bool) -> list[NotificationDelivery]:
        now = wall_time()
        # Look before locking: an idle pass must not take SQLite's write lock every interval, and costs one
        # prepared SELECT (through the ORM it took milliseconds of the event loop's GIL every second).
        with self.db.reading() as unit:
            if not rows(unit, _ANY_CLAIMABLE[ignore_schedule], {"after": after, "now": now}):
                return []
        query = (select(NotificationDelivery).where(_claimable(after, now, ignore_schedule))
                 .order_by(NotificationDelivery.seq).limit(BATCH))
        with self.db.transaction(writes=True) as session:
            claimed = []
            for row in session.scalars(query.with_for_update(skip_locked=True)).all():
                # conditional: on SQLite the write lock already serialises claims; this keeps it explicit
                taken = session.execute(
                    update(NotificationDelivery)
                    .where(NotificationDelivery.seq == row.seq, NotificationDelivery.status == PENDING, _free(now))
                    .values(claimed_until=now + LEASE, attempts=NotificationDelivery.attempts + 1)
                    .execution_options(synchronize_session=False)).rowcount
                if taken:
                    claimed.append(row)
        for row in claimed:  # detached now: this only mirrors the update above
            row.attempts += 1
        return claimed

    def _send(self, row: NotificationDelivery) -> str | None:
        """None when delivered, else why not."""
        try:
            transports.send(self.settings, row.transport, row.destination, row.document)
            if self.faults is not None and self.faults.active and self.faults.duplicate(row.event_type):
                transports.send(self.settings, row.transport, row.destination, row.document)  # at least once
        except transports.DeliveryFailed as exc:
            log.warning("delivery %s to %s failed (attempt %s): %s", row.seq, row.destination, row.attempts, exc)
            return str(exc)
        return None

    def _record(self, outcomes: list[tuple[NotificationDelivery, str | None]]) -> None:
        now = wall_time()
        with self.db.transaction(writes=True) as session:
            for row, error in outcomes:
                if error is None:
                    values = dict(status=DELIVERED, delivered_at=now, claimed_until=None)
                else:
                    gave_up = row.attempts >= MAX_ATTEMPTS
                    values = dict(status=FAILED if gave_up else PENDING, last_error=error[:2000],
                                  claimed_until=None, next_attempt_at=now + backoff(self.settings, row.attempts))
                session.execute(update(NotificationDelivery)
                                .where(NotificationDelivery.seq == row.seq, NotificationDelivery.status == PENDING)
                                .values(**values).execution_options(synchronize_session=False))

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="kempelen-delivery", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=20)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.delivery_interval):  # real seconds between passes
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the rows stay pending; the next pass tries again
                log.exception("delivery pass failed")


def deliveries(session: Session, hit_type_id: str) -> list[NotificationDelivery]:
    query = (select(NotificationDelivery).where(NotificationDelivery.hit_type_id == hit_type_id)
             .order_by(NotificationDelivery.seq))
    return list(session.scalars(query))


def when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
