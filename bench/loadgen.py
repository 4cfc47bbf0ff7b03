"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, one request in flight on each.

It is built to cost the server side as little as possible and the same for every target: requests are
pre-encoded bytes (bench.signing), responses are framed by Content-Length without any other parsing, the
transport is asyncio protocols on uvloop when available, and the garbage collector is off while it runs.
Its own CPU use and the server's are sampled over the measured window, so a run shows which side was busy.

A run is bounded three ways: a warm-up (not recorded), then a measured window that ends after `duration`
seconds or `max_requests` recorded responses, whichever comes first, and a hard timeout on top.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a Kempelen dependency on Linux
    uvloop = None

_now = time.perf_counter_ns


@dataclass
class RunResult:
    label: str
    concurrency: int
    requests: int                 # responses recorded in the measured window
    errors: int                   # of those, non-200 responses
    window_s: float
    latencies_ms: list[float] = field(repr=False)
    client_cpu: float | None      # load generator CPU seconds / window seconds (1.0 = one core busy)
    server_cpu: float | None      # server process CPU seconds / window seconds
    first_error: str | None = None
    # the database server's CPU seconds / window seconds, where it is measured (bench.throughput, PostgreSQL)
    database_cpu: float | None = None
    # requests each latency sample stands for: 1 here; wrk reports quantiles, each standing for many
    weight: float = 1.0

    @property
    def rate(self) -> float:
        return self.requests / self.window_s if self.window_s > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
        return ordered[index]

    @property
    def p50(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None

    @property
    def p99(self) -> float | None:
        return self.percentile(99)

    def summary(self) -> dict:
        return {"label": self.label, "concurrency": self.concurrency, "requests": self.requests,
                "errors": self.errors, "window_s": round(self.window_s, 3), "rate_per_s": round(self.rate, 1),
                "p50_ms": _round(self.p50), "p90_ms": _round(self.percentile(90)), "p99_ms": _round(self.p99),
                "max_ms": _round(max(self.latencies_ms) if self.latencies_ms else None),
                "client_cpu": _round(self.client_cpu), "server_cpu": _round(self.server_cpu),
                "database_cpu": _round(self.database_cpu), "first_error": self.first_error}


def pooled_percentiles(runs: list[RunResult], quantiles=(50, 90, 99)) -> dict[int, float | None]:
    """Percentiles over the latency samples of several runs, each sample weighted by its run's weight."""
    samples = sorted((latency, run.weight) for run in runs for latency in run.latencies_ms)
    total = sum(weight for _, weight in samples)
    found: dict[int, float | None] = {}
    for q in quantiles:
        if not samples:
            found[q] = None
            continue
        target, seen = q / 100 * total, 0.0
        for latency, weight in samples:
            seen += weight
            if seen >= target:
                found[q] = latency
                break
        else:
            found[q] = samples[-1][0]
    return found


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


class _Run:
    def __init__(self, requests: list[bytes], max_requests: int):
        self.requests = requests
        self.max_requests = max_requests
        self.next_index = 0
        self.warm_at = 0           # perf_counter_ns when recording starts
        self.end_at = 0            # perf_counter_ns when sending stops
        self.stopped = False
        self.latencies: list[int] = []
        self.errors = 0
        self.first_error: str | None = None
        self.last_done = 0

    def next_request(self) -> bytes | None:
        if self.stopped:
            return None
        request = self.requests[self.next_index % len(self.requests)]
        self.next_index += 1
        return request

    def completed(self, sent_at: int, done_at: int, status: int, body: bytes | None) -> None:
        if sent_at < self.warm_at or done_at > self.end_at or self.stopped:
            return
        self.latencies.append(done_at - sent_at)
        self.last_done = done_at
        if status != 200:
            self.errors += 1
            if self.first_error is None:
                self.first_error = f"HTTP {status}: {(body or b'')[:300].decode(errors='replace')}"
        if len(self.latencies) >= self.max_requests:
            self.stopped = True


class _Connection(asyncio.Protocol):
    def __init__(self, run: _Run, loop: asyncio.AbstractEventLoop):
        self.run = run
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.need = -1
        self.status = 0
        self.sent_at = 0
        self.done: asyncio.Future = loop.create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_next(self) -> None:
        request = self.run.next_request()
        if request is None:
            if not self.done.done():
                self.done.set_result(None)
            return
        self.sent_at = _now()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if self.need < 0:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            at = head.find(b"\r\ncontent-length:")
            if at < 0:
                self._fail(f"response without Content-Length: {head[:200]!r}")
                return
            stop = head.find(b"\r\n", at + 2)
            self.need = end + 4 + int(head[at + 17:stop if stop >= 0 else end])
            self.status = int(head[9:12])
        if len(buffer) < self.need:
            return
        done_at = _now()
        if len(buffer) > self.need:
            self._fail("more bytes than one response")
            return
        body = bytes(buffer[buffer.find(b"\r\n\r\n") + 4:]) if self.status != 200 else None
        buffer.clear()
        self.need = -1
        self.run.completed(self.sent_at, done_at, self.status, body)
        self.send_next()

    def _fail(self, reason: str) -> None:
        if not self.done.done():
            self.done.set_exception(ConnectionError(reason))
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        if not self.done.done():
            self.done.set_exception(ConnectionError(f"connection lost: {exc}"))


async def _run(host: str, port: int, requests: list[bytes], *, concurrency: int, warmup: float, duration: float,
               max_requests: int, cpu_probe: Callable[[], float | None] | None, label: str) -> RunResult:
    loop = asyncio.get_running_loop()
    run = _Run(requests, max_requests)
    connections = []
    for _ in range(concurrency):
        _, protocol = await loop.create_connection(lambda: _Connection(run, loop), host, port)
        connections.append(protocol)

    samples: dict[str, tuple[float | None, float, int]] = {}

    def sample(name: str) -> None:
        samples[name] = (cpu_probe() if cpu_probe else None, time.process_time(), _now())

    start = _now()
    run.warm_at = start + int(warmup * 1e9)
    run.end_at = run.warm_at + int(duration * 1e9)
    if warmup > 0:
        loop.call_later(warmup, sample, "warm")
    else:
        sample("warm")

    def stop() -> None:
        if not run.stopped:
            run.stopped = True
            run.last_done = run.end_at
        sample("end")

    end_handle = loop.call_later(warmup + duration, stop)
    for connection in connections:
        connection.send_next()
    try:
        await asyncio.wait_for(asyncio.gather(*(c.done for c in connections)), timeout=warmup + duration + 60)
    finally:
        end_handle.cancel()
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()
    if "end" not in samples:  # stopped by max_requests before the deadline
        sample("end")
    finished = run.last_done if run.last_done else _now()
    window = max(1e-9, (min(finished, run.end_at) - run.warm_at) / 1e9)
    (server_warm, client_warm, at_warm), (server_end, client_end, at_end) = samples["warm"], samples["end"]
    # CPU shares over the sampled interval (the window, or a little more when max_requests stopped it early)
    sampled = max(1e-9, (at_end - at_warm) / 1e9)
    server_cpu = (server_end - server_warm) / sampled if server_warm is not None and server_end is not None else None
    return RunResult(label=label, concurrency=concurrency, requests=len(run.latencies), errors=run.errors,
                     window_s=window, latencies_ms=[ns / 1e6 for ns in run.latencies],
                     client_cpu=(client_end - client_warm) / sampled, server_cpu=server_cpu,
                     first_error=run.first_error)


def run_load(host: str, port: int, requests: list[bytes], *, concurrency: int = 8, warmup: float = 2.0,
             duration: float = 10.0, max_requests: int = 1_000_000,
             cpu_probe: Callable[[], float | None] | None = None, label: str = "") -> RunResult:
    """Drive `requests` (cycled) at host:port with `concurrency` keep-alive connections."""
    if not requests:
        raise ValueError("no requests")
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        if uvloop is not None:
            return uvloop.run(_run(host, port, requests, concurrency=concurrency, warmup=warmup,
                                   duration=duration, max_requests=max_requests, cpu_probe=cpu_probe, label=label))
        return asyncio.run(_run(host, port, requests, concurrency=concurrency, warmup=warmup, duration=duration,
                                max_requests=max_requests, cpu_probe=cpu_probe, label=label))
    finally:
        gc.enable()
        gc.unfreeze()
