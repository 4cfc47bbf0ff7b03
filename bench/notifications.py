"""Benchmark 5: notification delivery to SQS (moto's standalone server) under a burst of events.

In one run, on loopback: moto (`python -m moto.server`, the installed moto[server]) on a free port, the bare
FastAPI app and `kempelen serve` (SQLite, system clock, the delivery loop's own default schedule unless
--delivery-interval is given), each a child process.

1. Baselines, untimed setup aside: the bare endpoint's request rate (the producers' pre-signed
   CreateHITWithHITType bytes, same connection count) and moto's own SendMessage rate, measured from here
   with boto3, one call at a time (as the server's delivery loop sends) with an event document as the body,
   to a queue of its own.
2. The burst: one HIT type subscribed (UpdateNotificationSettings, SQS, 2014-08-15) to HITCreated,
   AssignmentAccepted, AssignmentSubmitted and HITReviewable; then exactly `events` CreateHITWithHITType
   calls (1 assignment each, long lifetime, nobody works on them), as fast as `producers` keep-alive
   connections get answers: one HITCreated each, so exactly `events` events of a subscribed type.
3. While it runs and until the outbox is drained, every `poll` seconds the SQLite file is read (read-only,
   outside the server) for events emitted vs deliveries Pending/Delivered, and moto is asked for the queue's
   ApproximateNumberOfMessages. (GET /_kempelen/notifications/deliveries returns every row with its
   document: polling it at 10,000 rows would load the server being measured.)
4. Afterwards, from the database: lag = delivered_at (the server's wall clock after SendMessage answered)
   - event_time (the service clock when the request that emitted it began; system clock here, milliseconds);
   delivery rates during and after production. Checked: every row Delivered with 1 attempt, one row per
   event, and the queue holds exactly as many messages. A sample of messages is received with
   SentTimestamp (moto's arrival time, ms) as a cross-check: EventTimestamp in the body is whole seconds.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sqlite3
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import boto3
from botocore.config import Config

from kempelen.events import documents
from bench import loadgen, servers, signing, workload
from bench.workers import _Connection

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a Kempelen dependency on Linux
    uvloop = None

EVENT_TYPES = ["HITCreated", "AssignmentAccepted", "AssignmentSubmitted", "HITReviewable"]
SQS_KEYS = dict(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
# as app/events/transports.py sends: one HTTP attempt per call
SQS_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"total_max_attempts": 1})


@dataclass
class Settings:
    events: int = 10_000
    producers: int = 8               # keep-alive connections sending CreateHITWithHITType, one request each
    baseline_duration: float = 3.0   # seconds for the bare endpoint and for moto's SendMessage, each
    poll: float = 0.25               # seconds between outbox/queue counts
    drain_timeout: float = 900.0
    delivery_interval: float | None = None  # KEMPELEN_DELIVERY_INTERVAL; None = the server's default
    sample_messages: int = 200


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def _stats(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "min": round(min(values), 1), "p50": round(statistics.median(values), 1),
            "p90": round(_percentile(values, 90), 1), "p99": round(_percentile(values, 99), 1),
            "max": round(max(values), 1), "mean": round(statistics.fmean(values), 1)}


def _epoch(stored: str) -> float:
    """A UTCDateTime as SQLite holds it (naive UTC text) -> epoch seconds."""
    return datetime.fromisoformat(stored).replace(tzinfo=timezone.utc).timestamp()


def _sqs(endpoint: str):
    return boto3.client("sqs", endpoint_url=endpoint, config=SQS_CONFIG, **SQS_KEYS)


def _sample_document() -> str:
    entry = documents.event_entry("HITCreated", datetime.now(timezone.utc), "3" + "A" * 29, "3" + "B" * 29, None)
    return documents.document([entry], access_key_id="AKIAKEMPELENBENCH", customer_id="A1KEMPELENBENCH",
                              version="2014-08-15")


# --- baselines ----------------------------------------------------------------------------------------


def moto_send_rate(moto: servers.ChildServer, duration: float) -> dict:
    """SendMessage one call at a time from this process for `duration` seconds, after a short warm-up, to a
    queue of its own that a Consumer keeps short, as in the burst."""
    sqs = _sqs(moto.endpoint)
    url = sqs.create_queue(QueueName="kempelen-bench-baseline")["QueueUrl"]
    consumer = Consumer(moto.endpoint, url)
    consumer.start()
    body = _sample_document()
    try:
        warm_until = time.monotonic() + 0.5
        while time.monotonic() < warm_until:
            sqs.send_message(QueueUrl=url, MessageBody=body)
        latencies = []
        cpu, client = moto.cpu_seconds(), time.process_time()
        start = time.monotonic()
        end = start + duration
        while True:
            sent = time.perf_counter()
            sqs.send_message(QueueUrl=url, MessageBody=body)
            latencies.append((time.perf_counter() - sent) * 1000)
            if time.monotonic() >= end:
                break
        window = time.monotonic() - start
        moto_cpu = moto.cpu_seconds()
    finally:
        consumer.stop()
    return {"messages": len(latencies), "window_s": round(window, 3), "rate_per_s": round(len(latencies) / window, 1),
            "p50_ms": round(statistics.median(latencies), 3), "p99_ms": round(_percentile(latencies, 99), 3),
            "moto_cpu": None if cpu is None or moto_cpu is None else round((moto_cpu - cpu) / window, 3),
            "bench_cpu": round((time.process_time() - client) / window, 3), "body_bytes": len(body),
            "consumer_read": len(consumer.arrivals), "consumer_error": consumer.error}


# --- the burst ----------------------------------------------------------------------------------------


async def _produce(port: int, requests: list[bytes], total: int, connections: int) -> dict:
    """Exactly `total` requests over `connections` keep-alive connections, one in flight on each."""
    loop = asyncio.get_running_loop()
    opened = [(await loop.create_connection(lambda: _Connection(loop), servers.HOST, port))[1]
              for _ in range(connections)]
    remaining = [total]
    statuses: dict[int, int] = {}
    first_error: list[str] = []
    latencies: list[float] = []

    async def producer(connection: _Connection, offset: int) -> None:
        index = offset
        while remaining[0] > 0:
            remaining[0] -= 1
            sent = time.perf_counter()
            status, body = await connection.request(requests[index % len(requests)])
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200 and not first_error:
                first_error.append(f"HTTP {status}: {body[:300].decode(errors='replace')}")
            index += connections

    try:
        await asyncio.gather(*(producer(c, i) for i, c in enumerate(opened)))
    finally:
        for connection in opened:
            if connection.transport is not None:
                connection.transport.close()
    return {"statuses": statuses, "first_error": first_error[0] if first_error else None,
            "p50_ms": round(statistics.median(latencies), 3), "p99_ms": round(_percentile(latencies, 99), 3)}


def produce(port: int, requests: list[bytes], total: int, connections: int) -> dict:
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        runner = uvloop.run if uvloop is not None else asyncio.run
        return runner(_produce(port, requests, total, connections))
    finally:
        gc.enable()
        gc.unfreeze()


class Consumer(threading.Thread):
    """Reads the queue as a requester's consumer does (receive up to 10, delete them) and keeps each message's
    SentTimestamp (moto's arrival time, ms). Reading as it goes matters: moto recomputes the queue's
    attributes, scanning every message, on each SendMessage, so a queue left to grow makes every send slower
    (about 100/s empty, 13/s at 2,000 messages here) and the benchmark would measure that instead."""

    def __init__(self, endpoint: str, queue_url: str):
        super().__init__(name="bench-consumer", daemon=True)
        self.sqs, self.queue_url = _sqs(endpoint), queue_url
        self.arrivals: list[tuple[str, float]] = []   # (body, SentTimestamp in epoch seconds)
        self.error: str | None = None
        self._done = threading.Event()

    def run(self) -> None:
        try:
            while not self._done.is_set():
                messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                                    AttributeNames=["SentTimestamp"]).get("Messages", [])
                if not messages:
                    continue
                self.arrivals += [(m["Body"], int(m["Attributes"]["SentTimestamp"]) / 1000) for m in messages]
                self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        except Exception as exc:  # noqa: BLE001 - reported in the results rather than lost in a thread
            self.error = f"{type(exc).__name__}: {exc}"

    def stop(self) -> None:
        self._done.set()
        self.join(30)


class Watcher(threading.Thread):
    """Counts the outbox (read-only, from the SQLite file) and the messages the consumer has read every `poll`
    seconds, until every expected event is delivered or failed and has arrived, or the timeout passes."""

    def __init__(self, database: Path, hit_type_id: str, consumer: Consumer, poll: float, timeout: float):
        super().__init__(name="bench-watcher", daemon=True)
        self.database, self.hit_type_id, self.consumer = database, hit_type_id, consumer
        self.poll, self.timeout = poll, timeout
        self.expected: int | None = None   # set when production ends
        self.timeline: list[dict] = []
        self.start_at = time.time()
        self.drained_at: float | None = None
        self.error: str | None = None

    def count(self) -> dict:
        db = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            events = db.execute("SELECT COUNT(*) FROM event WHERE hit_type_id = ?", (self.hit_type_id,)).fetchone()[0]
            by_status = dict(db.execute("SELECT status, COUNT(*) FROM notification_delivery WHERE hit_type_id = ? "
                                        "GROUP BY status", (self.hit_type_id,)).fetchall())
        finally:
            db.close()
        return {"t": round(time.time() - self.start_at, 3), "events": events, "pending": by_status.get("Pending", 0),
                "delivered": by_status.get("Delivered", 0), "failed": by_status.get("Failed", 0),
                "arrived": len(self.consumer.arrivals)}

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            while time.monotonic() < deadline:
                row = self.count()
                self.timeline.append(row)
                if self.expected is not None and row["delivered"] + row["failed"] >= self.expected:
                    self.drained_at = self.drained_at or time.time()
                    if row["arrived"] >= row["delivered"]:
                        return
                time.sleep(self.poll)  # sampling interval of an outside observer, not service time
        except Exception as exc:  # noqa: BLE001 - reported in the results rather than lost in a thread
            self.error = f"{type(exc).__name__}: {exc}"


def deliveries(database: Path, hit_type_id: str) -> list[tuple]:
    """(event_time, delivered_at, status, attempts, document, event_type) per delivery row of the type."""
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("""
            SELECT e.event_time, d.delivered_at, d.status, d.attempts, d.document, d.event_type
            FROM notification_delivery d JOIN event e ON e.seq = d.event_seq
            WHERE d.hit_type_id = ? ORDER BY d.seq""", (hit_type_id,)).fetchall()
    finally:
        db.close()


def _per_second(times: list[float], origin: float) -> list[int]:
    if not times:
        return []
    buckets = [0] * (int(max(times) - origin) + 1)
    for at in times:
        buckets[max(0, int(at - origin))] += 1
    return buckets


def _rate(count: int, seconds: float | None) -> float | None:
    return round(count / seconds, 1) if seconds and seconds > 0 else None


def analyse(rows: list[tuple], arrivals: list[tuple[str, float]], production_end: float) -> dict:
    """Lag and delivery rates from the delivery rows and the messages read from the queue."""
    event_at = {json.loads(r[4])["EventDocId"]: _epoch(r[0]) for r in rows}
    delivered_at = [_epoch(r[1]) for r in rows if r[1] is not None]
    lags = [(_epoch(r[1]) - _epoch(r[0])) * 1000 for r in rows if r[1] is not None]
    arrived: dict[str, float] = {}
    duplicates = unknown = whole_seconds_agree = 0
    for body, sent in arrivals:
        doc = json.loads(body)
        doc_id = doc["EventDocId"]
        if doc_id not in event_at:
            unknown += 1
            continue
        if doc_id in arrived:
            duplicates += 1
            continue
        arrived[doc_id] = sent
        stamp = documents.timestamp(datetime.fromtimestamp(event_at[doc_id], timezone.utc))
        whole_seconds_agree += stamp == doc["Events"][0]["EventTimestamp"]
    arrival_lags = [(sent - event_at[doc_id]) * 1000 for doc_id, sent in arrived.items()]
    first_event = min(event_at.values()) if event_at else production_end
    last_delivery = max(delivered_at) if delivered_at else None
    during = sum(1 for at in delivered_at if at <= production_end)
    return {
        "first_event": first_event, "last_delivery": last_delivery,
        "rates": {"overall_per_s": _rate(len(delivered_at), last_delivery and last_delivery - first_event),
                  "while_producing_per_s": _rate(during, production_end - first_event),
                  "after_producing_per_s": _rate(len(delivered_at) - during,
                                                 last_delivery and last_delivery - production_end)},
        "lag_ms": _stats(lags),
        "arrival_lag_ms": _stats(arrival_lags),
        "delivered_per_second": _per_second(delivered_at, first_event),
        "checks": {"delivery_rows": len(rows), "delivered": len(delivered_at),
                   "not_delivered": sum(1 for r in rows if r[2] != "Delivered"),
                   "attempts_over_1": sum(1 for r in rows if r[3] != 1),
                   "other_event_types": sum(1 for r in rows if r[5] != "HITCreated"),
                   "arrived": len(arrived), "duplicates": duplicates, "unknown_messages": unknown,
                   "event_timestamp_matches_event_time": whole_seconds_agree},
    }


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub("notifications")
    database = directory / "kempelen.db"
    moto_port = servers.free_port()
    moto = servers.ChildServer("moto", [sys.executable, "-m", "moto.server", "-H", servers.HOST, "-p", str(moto_port)],
                               moto_port, directory, health_path="/moto-api/")
    env = {"KEMPELEN_NOTIFICATION_AWS_ACCESS_KEY_ID": "testing",
           "KEMPELEN_NOTIFICATION_AWS_SECRET_ACCESS_KEY": "testing"}
    if settings.delivery_interval is not None:
        env["KEMPELEN_DELIVERY_INTERVAL"] = str(settings.delivery_interval)
    bare = servers.bare(directory)
    kempelen = servers.kempelen(f"sqlite:///{database}", directory, directory, env=env)
    consumer: Consumer | None = None
    loads = [round(os.getloadavg()[0], 2)]
    try:
        moto.start()
        bare.start()
        kempelen.start()
        mturk = workload.client(kempelen.endpoint)
        hit_type_id = mturk.create_hit_type(
            Title=workload.TITLE + " (notifications)", Description=workload.DESCRIPTION, Reward=workload.REWARD,
            AssignmentDurationInSeconds=workload.ASSIGNMENT_DURATION,
            AutoApprovalDelayInSeconds=workload.AUTO_APPROVAL_DELAY)["HITTypeId"]
        queue_url = _sqs(moto.endpoint).create_queue(QueueName="kempelen-bench-events")["QueueUrl"]
        mturk.update_notification_settings(HITTypeId=hit_type_id, Active=True, Notification={
            "Destination": queue_url, "Transport": "SQS", "Version": "2014-08-15", "EventTypes": EVENT_TYPES})
        calls = signing.pool(kempelen.endpoint, "CreateHITWithHITType", [{
            "HITTypeId": hit_type_id, "MaxAssignments": 1, "LifetimeInSeconds": workload.LIFETIME,
            "Question": workload.EXTERNAL_QUESTION}], 64)
        say(f"  moto on :{moto.port}, queue {queue_url}; HIT type {hit_type_id} subscribed to "
            f"{', '.join(EVENT_TYPES)}")

        baseline = loadgen.run_load(servers.HOST, bare.port, [c.raw(bare.host_header) for c in calls],
                                    concurrency=settings.producers, warmup=0.5, duration=settings.baseline_duration,
                                    cpu_probe=bare.cpu_seconds, label="bare").summary()
        say(f"  bare endpoint: {baseline['rate_per_s']:,.1f} req/s ({settings.producers} connections)")
        moto_rate = moto_send_rate(moto, settings.baseline_duration)
        say(f"  moto SendMessage from here, one at a time: {moto_rate['rate_per_s']:,.1f} msg/s "
            f"(p50 {moto_rate['p50_ms']:.2f} ms, moto CPU {(moto_rate['moto_cpu'] or 0) * 100:.0f}%)")

        consumer = Consumer(moto.endpoint, queue_url)
        consumer.start()
        watcher = Watcher(database, hit_type_id, consumer, settings.poll, settings.drain_timeout)
        cpu = [(kempelen.cpu_seconds(), moto.cpu_seconds(), time.process_time(), time.time())]
        watcher.start()
        burst_start = time.time()
        produced = produce(kempelen.port, [c.raw(kempelen.host_header) for c in calls], settings.events,
                           settings.producers)
        production_end = time.time()
        loads.append(round(os.getloadavg()[0], 2))
        cpu.append((kempelen.cpu_seconds(), moto.cpu_seconds(), time.process_time(), production_end))
        created = produced["statuses"].get(200, 0)
        watcher.expected = created
        say(f"  {settings.events:,} CreateHITWithHITType in {production_end - burst_start:.1f} s "
            f"({created / (production_end - burst_start):,.1f}/s; statuses {produced['statuses']}); draining...")
        if produced["first_error"]:
            say(f"    first error: {produced['first_error']}")
        watcher.join(settings.drain_timeout + 30)
        cpu.append((kempelen.cpu_seconds(), moto.cpu_seconds(), time.process_time(), watcher.drained_at or time.time()))
        loads.append(round(os.getloadavg()[0], 2))
        consumer.stop()
        for problem in (watcher.error, consumer.error):
            if problem:
                say(f"    {problem}")

        rows = deliveries(database, hit_type_id)
        found = analyse(rows, consumer.arrivals, production_end)
        checks = found["checks"]
        checks["events_emitted"] = watcher.timeline[-1]["events"] if watcher.timeline else None
        checks["ok"] = (created == settings.events == checks["events_emitted"] == len(rows) == checks["delivered"]
                        == checks["arrived"] and not (checks["attempts_over_1"] or checks["other_event_types"]
                                                      or checks["duplicates"] or checks["unknown_messages"]))
        rates, last = found["rates"], found["last_delivery"]

        def shares(before, after) -> dict:
            seconds = after[3] - before[3]
            return {name: None if before[i] is None or after[i] is None or seconds <= 0
                    else round((after[i] - before[i]) / seconds, 3)
                    for i, name in enumerate(("kempelen", "moto", "bench"))}

        def ratio(value, to) -> float | None:
            return round(value / to, 4) if value and to else None

        result = {
            "settings": {"events": settings.events, "producers": settings.producers, "event_types": EVENT_TYPES,
                         "baseline_duration_s": settings.baseline_duration, "poll_s": settings.poll,
                         "delivery_interval_s": settings.delivery_interval if settings.delivery_interval is not None
                         else "server default (1.0 s)"},
            "bare": baseline, "moto_send": moto_rate,
            "production": {**produced, "created": created, "seconds": round(production_end - burst_start, 3),
                           "rate_per_s": _rate(created, production_end - burst_start)},
            "drain": {"seconds_after_production": round(last - production_end, 3) if last else None,
                      "seconds_first_event_to_last_delivery": round(last - found["first_event"], 3) if last else None},
            "rates": rates,
            "ratios": {"delivery_to_bare": ratio(rates["overall_per_s"], baseline["rate_per_s"]),
                       "delivery_to_moto": ratio(rates["overall_per_s"], moto_rate["rate_per_s"]),
                       "drain_to_moto": ratio(rates["after_producing_per_s"], moto_rate["rate_per_s"])},
            "lag_ms": found["lag_ms"], "arrival_lag_ms": found["arrival_lag_ms"],
            "cpu": {"producing": shares(cpu[0], cpu[1]), "draining": shares(cpu[1], cpu[2])},
            # the machine is shared: the 1-minute load average before the baselines, after producing, drained
            "load_avg": loads,
            "delivered_per_second": found["delivered_per_second"],
            "timeline": watcher.timeline,
            "checks": checks, "errors": {"watcher": watcher.error, "consumer": consumer.error},
        }
        lag = result["lag_ms"]
        say(f"  drained {result['drain']['seconds_after_production']} s after the last CreateHITWithHITType; "
            f"lag p50 {lag.get('p50')} ms, p99 {lag.get('p99')} ms, max {lag.get('max')} ms; "
            f"checks {'ok' if checks['ok'] else 'FAILED'}")
        return result
    finally:
        if consumer is not None:
            consumer.stop()
        kempelen.stop()
        bare.stop()
        moto.stop()


def summary(result: dict) -> str:
    s, rates, production = result["settings"], result["rates"], result["production"]
    moto, bare, drain, cpu = result["moto_send"], result["bare"], result["drain"], result["cpu"]

    def pct(value) -> str:
        return "-" if value is None else f"{value * 100:.0f}%"

    def num(value, digits=1) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    def lag(stats: dict) -> str:
        return ", ".join(f"{key} {num(stats.get(key), 0)}" for key in ("p50", "p99", "max", "min"))

    lines = [
        f"Notifications: {s['events']:,} CreateHITWithHITType from {s['producers']} connections on one HIT type "
        f"subscribed (SQS on moto) to {', '.join(s['event_types'])} = {production['created']:,} HITCreated events; "
        f"delivery interval {s['delivery_interval_s']}; a consumer reads and deletes messages as they arrive",
        f"  baselines: bare endpoint {num(bare['rate_per_s'])} req/s; moto SendMessage from the bench, one at a "
        f"time, {num(moto['rate_per_s'])} msg/s (p50 {num(moto['p50_ms'], 2)} ms, moto CPU {pct(moto['moto_cpu'])})",
        f"  produced in {num(production['seconds'])} s = {num(production['rate_per_s'])} events/s "
        f"(CreateHITWithHITType p50 {num(production['p50_ms'])} ms; CPU kempelen {pct(cpu['producing']['kempelen'])}, "
        f"moto {pct(cpu['producing']['moto'])}, bench {pct(cpu['producing']['bench'])})",
        f"  delivered/s: overall {num(rates['overall_per_s'])}, while producing {num(rates['while_producing_per_s'])}, "
        f"after producing {num(rates['after_producing_per_s'])} (CPU then: kempelen "
        f"{pct(cpu['draining']['kempelen'])}, moto {pct(cpu['draining']['moto'])}, "
        f"bench {pct(cpu['draining']['bench'])})",
        f"  ratios: overall/bare {num(result['ratios']['delivery_to_bare'], 4)}, overall/moto "
        f"{num(result['ratios']['delivery_to_moto'], 3)}, "
        f"after-producing/moto {num(result['ratios']['drain_to_moto'], 3)}",
        f"  time to drain: {num(drain['seconds_after_production'])} s after the last event was produced "
        f"({num(drain['seconds_first_event_to_last_delivery'])} s from the first event)",
        f"  lag ms, event -> delivered_at: {lag(result['lag_ms'])}; event -> SentTimestamp: "
        f"{lag(result['arrival_lag_ms'])}",
    ]
    timeline = result["timeline"]
    if timeline:
        step = max(1, len(timeline) // 12)
        picked = timeline[::step] + ([timeline[-1]] if (len(timeline) - 1) % step else [])
        lines.append("  outbox over time (pending/delivered): " + ", ".join(
            f"{row['t']:.0f}s {row['pending']:,}/{row['delivered']:,}" for row in picked))
    lines.append(f"  1-minute load average: {', '.join(map(str, result['load_avg']))} (start, produced, drained) on "
                 f"{os.cpu_count()} CPUs")
    c = result["checks"]
    lines.append(f"  checks: {c['events_emitted']:,} events, {c['delivery_rows']:,} rows, "
                 f"{c['delivered']:,} delivered, {c['attempts_over_1']} retried, {c['arrived']:,} arrived "
                 f"({c['duplicates']} duplicates, {c['unknown_messages']} unknown) -- {'ok' if c['ok'] else 'FAILED'}")
    return "\n".join(lines)
