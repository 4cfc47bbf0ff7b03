"""Prometheus metrics at /metrics (prometheus-client), one registry per application.

Per request (cheap: a cached label child, a lock, an add): kempelen_requests_total and
kempelen_request_duration_seconds by operation and status. At scrape time, read from the database so every
replica reports the same truth: the outbox backlog, failed delivery attempts, the sweeper's lag behind the
clock and the open assignments."""

from __future__ import annotations

import logging
import threading

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

log = logging.getLogger("kempelen.metrics")
disable_created_metrics()  # no *_created series: they double the output and nothing here reads them

# Seconds: a SQLite point read is well under a millisecond; a slow CreateHIT on PostgreSQL tens of them.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self, db=None, clock=None):
        self.registry = CollectorRegistry()
        self._requests = Counter("kempelen_requests", "Requests answered, by operation and HTTP status",
                                 ["operation", "status"], registry=self.registry)
        self._latency = Histogram("kempelen_request_duration_seconds", "Time to answer a request",
                                  ["operation", "status"], buckets=BUCKETS, registry=self.registry)
        self._children: dict[tuple[str, int], tuple] = {}
        self._lock = threading.Lock()
        if db is not None and clock is not None:
            self.registry.register(StateCollector(db, clock))

    def observe_request(self, operation: str, status: int, seconds: float) -> None:
        children = self._children.get((operation, status))
        if children is None:
            with self._lock:
                labels = (operation, str(status))
                children = (self._requests.labels(*labels), self._latency.labels(*labels))
                self._children[(operation, status)] = children
        children[0].inc()
        children[1].observe(seconds)


class StateCollector:
    """Gauges read from the database when scraped."""

    def __init__(self, db, clock):
        self.db, self.clock = db, clock

    def describe(self):
        return []  # computed at collect time; nothing to check at registration

    def collect(self):
        from kempelen.store import gauges

        try:
            with self.db.transaction(writes=False) as session:
                state = gauges.read(session, self.clock.now())
        except Exception:  # noqa: BLE001 - a scrape must not fail the server; the gap shows in the graphs
            log.exception("reading the state metrics failed")
            return
        backlog = GaugeMetricFamily("kempelen_outbox_backlog", "Notification deliveries not yet delivered "
                                                               "(Pending), waiting or being retried")
        backlog.add_metric([], state.pending_deliveries)
        yield backlog
        failures = CounterMetricFamily("kempelen_notification_delivery_failures",
                                       "Delivery attempts that failed (each retry counts)")
        failures.add_metric([], state.failed_attempts)
        yield failures
        gave_up = GaugeMetricFamily("kempelen_notification_deliveries_failed",
                                    "Deliveries given up on (status Failed)")
        gave_up.add_metric([], state.failed_deliveries)
        yield gave_up
        lag = GaugeMetricFamily("kempelen_sweeper_lag_seconds", "How far behind the clock the oldest due, "
                                                                "not yet written transition is (0: none)")
        lag.add_metric([], state.sweeper_lag_seconds)
        yield lag
        open_ = GaugeMetricFamily("kempelen_open_assignments", "Assignments accepted and not yet submitted, "
                                                               "returned or past their deadline")
        open_.add_metric([], state.open_assignments)
        yield open_
