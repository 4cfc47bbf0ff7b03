"""Benchmark 3: accept-and-submit throughput through the worker API, against a bare FastAPI baseline.

Scripted workers each hold one keep-alive connection and loop, as fast as the server answers:
``POST /api/worker/hit-types/{HITTypeId}/accept`` (accept the next HIT of the type), then
``POST /api/worker/assignments/{AssignmentId}/submit`` with a one-field answer. Every worker authenticates
with its own token (created beforehand through ``POST /api/workers`` with the admin token). The bare app
gets the same loop from the same client: the same request bytes (headers, token, body), sent to its only
route, ``POST /``, with the AssignmentId read from its JSON reply being absent, so a constant one is used.

Each round of a concurrency level gets a HIT type of its own, with MaxAssignments 10 per HIT and enough HITs
(created with boto3, untimed) that no worker runs out: accept-next scans the type in creation order, so
workers race for the last free slots of the same HITs, and a fresh type keeps every round's starting state
alike. Refusals (HITNotAvailable, NoHITAvailable, ...) are counted by code, not treated as failures; a
worker told NoHITAvailable has nothing left and stops for the round (reported as exhaustion).

After the raw loop of each level, the simulated workforce (kempelen.testing.crowd, what `kempelen workforce run`
and ``workforce.crowd`` drive) works a fresh HIT type with the same number of workers: work, pauses, returns
and abandons set to zero, so it too accepts and submits as fast as the server answers, but through its own
client (a keep-alive connection per thread, ExternalQuestion answers posted to externalSubmit) and its
instant-by-instant schedule (one instant's accepts go out together, then their submits). Its pairs/s are
timed from its first request to its last (creating its workers and listing the HITs included) and set
against the bare endpoint's pairs/s (req/s / 2) of the same level in the same run.

Afterwards every benchmark HIT is checked for over-assignment twice: in the database (assignments not
Returned/Abandoned per HIT <= MaxAssignments) and through boto3 (ListAssignmentsForHIT <= MaxAssignments).
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import sqlite3
import socket
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kempelen.config import DEVELOPMENT_ADMIN_TOKEN
from bench import servers, workload

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a Kempelen dependency on Linux
    uvloop = None

CONCURRENCY = (1, 8, 32)
MAX_ASSIGNMENTS = 10
ANSWER = json.dumps({"Answers": {"label": "cat"}}, separators=(",", ":")).encode()
BARE_ASSIGNMENT_ID = "3" + "X" * 29  # the bare app returns no AssignmentId; one of MTurk's length stands in
_now = time.perf_counter_ns


@dataclass
class Settings:
    concurrency: tuple[int, ...] = CONCURRENCY
    warmup: float = 1.0          # first round of each level; later rounds 0.5 at most
    duration: float = 6.0        # per target and level, split over the rounds
    rounds: int = 3
    rate_guess: float = 150.0    # accept+submit pairs/s assumed before the first round, to size the HITs
    margin: float = 2.5          # HITs for margin x the expected pairs (best rate so far x round time)
    crowd: bool = True           # also the simulated workforce at each level


@dataclass
class RoundResult:
    target: str
    concurrency: int
    window_s: float
    latencies_ms: dict[str, list[float]]  # "accept" / "submit" -> latencies of recorded requests
    pairs: int = 0                         # accept (201) followed by submit (200), both in the window
    accepts: int = 0                       # accepts answered 201 in the window
    refusals: dict[str, int] = field(default_factory=dict)   # expected refusals, by code
    errors: dict[str, int] = field(default_factory=dict)     # anything else, by "HTTP status code"
    first_error: str | None = None
    exhausted_workers: int = 0
    client_cpu: float | None = None
    server_cpu: float | None = None
    hits: int = 0                          # HITs prepared for the round (Kempelen only)
    load_avg: float | None = None          # the machine's 1-minute load average after the round

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies_ms.values())


# Refusals the protocol allows under contention or when a worker has nothing left; not failures.
EXPECTED_REFUSALS = {"HITNotAvailable", "HITAlreadyTaken", "NoHITAvailable"}


class _Connection(asyncio.Protocol):
    """One keep-alive connection, one request in flight; responses framed by Content-Length."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.transport = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.lost: Exception | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, raw: bytes) -> asyncio.Future:
        if self.lost is not None:
            raise ConnectionError(f"connection lost: {self.lost}")
        self.waiter = self.loop.create_future()
        self.transport.write(raw)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            self._fail(ConnectionError(f"response without Content-Length: {head[:200]!r}"))
            return
        stop = head.find(b"\r\n", at + 2)
        need = end + 4 + int(head[at + 17:stop if stop >= 0 else end])
        if len(buffer) < need:
            return
        status, body = int(head[9:12]), bytes(buffer[end + 4:need])
        del buffer[:need]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((status, body))

    def _fail(self, exc: Exception) -> None:
        self.lost = exc
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc) -> None:
        self._fail(ConnectionError(f"connection lost: {exc}"))


def _request(host_header: str, path: str, token: str, body: bytes) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: {host_header}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


@dataclass
class _Target:
    name: str                       # "bare" or "kempelen"
    server: servers.ChildServer
    hit_type_id: str = ""

    def accept(self, token: str) -> bytes:
        path = "/" if self.name == "bare" else f"/api/worker/hit-types/{self.hit_type_id}/accept"
        return _request(self.server.host_header, path, token, b"")

    def submit(self, token: str, assignment_id: str) -> bytes:
        path = "/" if self.name == "bare" else f"/api/worker/assignments/{assignment_id}/submit"
        return _request(self.server.host_header, path, token, ANSWER)


async def _round(target: _Target, tokens: list[str], warmup: float, duration: float) -> RoundResult:
    loop = asyncio.get_running_loop()
    result = RoundResult(target.name, len(tokens), duration, {"accept": [], "submit": []})
    connections = [(await loop.create_connection(lambda: _Connection(loop), servers.HOST, target.server.port))[1]
                   for _ in tokens]
    start = _now()
    warm_at, end_at = start + int(warmup * 1e9), start + int((warmup + duration) * 1e9)
    accept_ok = 201 if target.name == "kempelen" else 200

    def refused(status: int, body: bytes) -> None:
        try:
            code = json.loads(body)["Error"]["Code"]
        except (ValueError, KeyError, TypeError):
            code = None
        if code in EXPECTED_REFUSALS:
            result.refusals[code] = result.refusals.get(code, 0) + 1
        else:
            key = f"HTTP {status} {code or ''}".strip()
            result.errors[key] = result.errors.get(key, 0) + 1
            if result.first_error is None:
                result.first_error = f"HTTP {status}: {body[:300].decode(errors='replace')}"

    async def worker(connection: _Connection, token: str) -> None:
        accept = target.accept(token)
        while _now() < end_at:  # a pair started before the end is finished, so nothing is left Accepted
            sent = _now()
            status, body = await connection.request(accept)
            done = _now()
            recorded = sent >= warm_at and done <= end_at
            if recorded:
                result.latencies_ms["accept"].append((done - sent) / 1e6)
            if status != accept_ok:
                if recorded:
                    refused(status, body)
                if status == 404 and b'"NoHITAvailable"' in body:
                    result.exhausted_workers += 1
                    return
                continue
            result.accepts += recorded
            assignment_id = json.loads(body).get("AssignmentId", BARE_ASSIGNMENT_ID)
            submit_sent = _now()
            status, body = await connection.request(target.submit(token, assignment_id))
            done = _now()
            if submit_sent >= warm_at and done <= end_at:
                result.latencies_ms["submit"].append((done - submit_sent) / 1e6)
                if status != 200:
                    refused(status, body)
                elif recorded:
                    result.pairs += 1

    cpu = {}

    def sample(name: str) -> None:
        cpu[name] = (target.server.cpu_seconds(), time.process_time(), _now())

    loop.call_later(warmup, sample, "warm")
    loop.call_later(warmup + duration, sample, "end")
    try:
        await asyncio.wait_for(asyncio.gather(*(worker(c, t) for c, t in zip(connections, tokens))),
                               timeout=warmup + duration + 60)
    finally:
        for connection in connections:
            if connection.transport is not None:
                connection.transport.close()
    if "end" not in cpu:  # every worker ran out before the end of the window
        sample("end")
    result.load_avg = os.getloadavg()[0]
    (server_warm, client_warm, at_warm), (server_end, client_end, at_end) = cpu["warm"], cpu["end"]
    sampled = max(1e-9, (at_end - at_warm) / 1e9)
    result.client_cpu = (client_end - client_warm) / sampled
    if server_warm is not None and server_end is not None:
        result.server_cpu = (server_end - server_warm) / sampled
    return result


def run_round(target: _Target, tokens: list[str], warmup: float, duration: float) -> RoundResult:
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        runner = uvloop.run if uvloop is not None else asyncio.run
        return runner(_round(target, tokens, warmup, duration))
    finally:
        gc.enable()
        gc.unfreeze()


# --- setup (untimed) ----------------------------------------------------------------------------------


def create_workers(endpoint: str, count: int) -> list[str]:
    """`count` workers through POST /api/workers with the admin token; their own tokens."""
    tokens = []
    for _ in range(count):
        request = urllib.request.Request(endpoint + "/api/workers", data=b"{}", method="POST", headers={
            "Authorization": f"Bearer {DEVELOPMENT_ADMIN_TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            tokens.append(json.loads(response.read())["Token"])
    return tokens


def create_hits(mturk, title: str, count: int) -> tuple[str, list[str]]:
    """A HIT type of its own (the title makes it distinct) and `count` HITs of it, MaxAssignments 10."""
    params = dict(workload.CREATE_HIT, Title=title, MaxAssignments=MAX_ASSIGNMENTS)
    first = mturk.create_hit(**params)["HIT"]
    with ThreadPoolExecutor(4) as pool:  # boto3 clients are thread-safe; the server is the same one process
        rest = list(pool.map(lambda _: mturk.create_hit(**params)["HIT"]["HITId"], range(count - 1)))
    return first["HITTypeId"], [first["HITId"], *rest]


def hits_needed(rate: float, seconds: float, concurrency: int, margin: float) -> int:
    """Enough HITs that no worker runs out: each worker takes a HIT once, and every HIT has 10 slots."""
    pairs = rate * seconds * margin
    return max(20, math.ceil(pairs / concurrency) + 20, math.ceil(pairs / MAX_ASSIGNMENTS) + 20)


# --- verification -------------------------------------------------------------------------------------


def verify_database(path: Path, hit_ids: list[str]) -> dict:
    """Per HIT: assignments that hold a slot (every status but Returned and Abandoned) <= MaxAssignments;
    the HIT's counter of done assignments agrees with its Submitted/Approved/Rejected rows."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute("CREATE TEMP TABLE bench_hit (hit_id TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO bench_hit VALUES (?)", [(hit_id,) for hit_id in hit_ids])
        rows = db.execute("""
            SELECT h.hit_id, h.max_assignments, h.assignments_done,
                   SUM(CASE WHEN a.status NOT IN ('Returned', 'Abandoned') THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.status IN ('Submitted', 'Approved', 'Rejected') THEN 1 ELSE 0 END),
                   SUM(CASE WHEN a.status = 'Accepted' THEN 1 ELSE 0 END),
                   COUNT(a.seq)
            FROM hit h JOIN bench_hit b ON b.hit_id = h.hit_id LEFT JOIN assignment a ON a.hit_id = h.hit_id
            GROUP BY h.hit_id""").fetchall()
    finally:
        db.close()
    over = [{"HITId": r[0], "MaxAssignments": r[1], "holding": r[3]} for r in rows if (r[3] or 0) > r[1]]
    counter = [{"HITId": r[0], "assignments_done": r[2], "rows": r[4]} for r in rows if r[2] != (r[4] or 0)]
    return {"hits": len(rows), "assignments": sum(r[6] for r in rows), "left_accepted": sum(r[5] or 0 for r in rows),
            "full_hits": sum(1 for r in rows if (r[3] or 0) == r[1]), "over_assigned": len(over),
            "over_assigned_examples": over[:5], "done_counter_mismatches": len(counter),
            "done_counter_examples": counter[:5]}


def verify_boto3(mturk, hit_ids: list[str]) -> dict:
    """ListAssignmentsForHIT (Submitted, Approved, Rejected: every pair here is submitted) <= MaxAssignments."""
    def listed(hit_id: str) -> int:
        count, params = 0, {"HITId": hit_id, "MaxResults": 100}
        while True:
            page = mturk.list_assignments_for_hit(**params)
            count += page["NumResults"]
            if not page.get("NextToken") or not page["NumResults"]:
                return count
            params["NextToken"] = page["NextToken"]

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(listed, hit_ids))
    over = [hit_id for hit_id, count in zip(hit_ids, counts) if count > MAX_ASSIGNMENTS]
    return {"hits": len(hit_ids), "assignments_listed": sum(counts), "over_assigned": len(over),
            "over_assigned_examples": over[:5]}


# --- pooling and the run ------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _add(into: dict, counts: dict) -> dict:
    for key, value in counts.items():
        into[key] = into.get(key, 0) + value
    return into


def _pool(rounds: list[RoundResult]) -> dict:
    window = sum(r.window_s for r in rounds)
    every = [v for r in rounds for values in r.latencies_ms.values() for v in values]
    by_kind = {kind: [v for r in rounds for v in r.latencies_ms[kind]] for kind in ("accept", "submit")}
    requests = sum(r.requests for r in rounds)
    refusals, errors = {}, {}
    for r in rounds:
        _add(refusals, r.refusals)
        _add(errors, r.errors)

    def weighted(name: str) -> float | None:
        values = [getattr(r, name) for r in rounds]
        return None if None in values else _ms(sum(v * r.window_s for v, r in zip(values, rounds)) / window)

    return {
        "window_s": round(window, 3), "requests": requests, "rate_per_s": round(requests / window, 1),
        "pairs": sum(r.pairs for r in rounds), "pairs_per_s": round(sum(r.pairs for r in rounds) / window, 1),
        "accepts": sum(r.accepts for r in rounds), "accepts_per_s": round(sum(r.accepts for r in rounds) / window, 1),
        "p50_ms": _ms(statistics.median(every) if every else None), "p99_ms": _ms(_percentile(every, 99)),
        "accept_p50_ms": _ms(_percentile(by_kind["accept"], 50)), "accept_p99_ms": _ms(_percentile(by_kind["accept"], 99)),
        "submit_p50_ms": _ms(_percentile(by_kind["submit"], 50)), "submit_p99_ms": _ms(_percentile(by_kind["submit"], 99)),
        "refusals": refusals, "errors": errors, "error_count": sum(errors.values()),
        "first_error": next((r.first_error for r in rounds if r.first_error), None),
        "exhausted_workers": sum(r.exhausted_workers for r in rounds),
        "server_cpu": weighted("server_cpu"), "client_cpu": weighted("client_cpu"),
        "rate_per_round": [round(r.requests / r.window_s, 1) for r in rounds],
        "pairs_per_round": [round(r.pairs / r.window_s, 1) for r in rounds],
        "hits_per_round": [r.hits for r in rounds] if rounds[0].target == "kempelen" else None,
        "load_avg_per_round": [round(r.load_avg, 2) for r in rounds if r.load_avg is not None],
    }


def crowd_round(endpoint: str, mturk, concurrency: int, pairs: int, server: servers.ChildServer) -> dict:
    """The simulated workforce at `concurrency` workers doing `pairs` accept-and-submit pairs, flat out."""
    from kempelen.testing.crowd import Behaviour, Crowd

    count = max(math.ceil(pairs / MAX_ASSIGNMENTS), math.ceil(pairs / concurrency)) + 5
    type_id, hit_ids = create_hits(mturk, f"{workload.TITLE} (crowd c{concurrency})", count)
    # a fine grid: on a real clock follow-ups wait for the next instant of it (1 s by default)
    flat_out = Behaviour(work_seconds=0, think_seconds=0, arrival_seconds=0, return_rate=0, abandon_rate=0,
                         resolution=0.001)
    crowd = Crowd(endpoint, concurrency, lambda task, rng: {"label": "cat"}, seed=f"bench-{concurrency}",
                  behaviour=flat_out, clock="real", concurrency=concurrency, hit_type_id=type_id)
    gc.collect()
    cpu_before, started = server.cpu_seconds(), time.perf_counter()
    summary = crowd.run(until_done=True, max_assignments=pairs)
    wall = time.perf_counter() - started
    cpu_after = server.cpu_seconds()
    return {"workers": concurrency, "hits": count, "pairs": summary.submitted, "accepted": summary.accepted,
            "requests": summary.requests, "wall_s": round(wall, 3),
            "pairs_per_s": round(summary.submitted / wall, 1), "req_per_s": round(summary.requests / wall, 1),
            "refused": dict(summary.refused),
            "server_cpu": None if cpu_before is None or cpu_after is None else round((cpu_after - cpu_before) / wall, 3),
            "hit_ids": hit_ids}


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub("workers")
    database = directory / "kempelen.db"
    bare = servers.bare(directory)
    kempelen = servers.kempelen(f"sqlite:///{database}", directory, directory)
    try:
        bare.start()
        kempelen.start()
        mturk = workload.client(kempelen.endpoint)
        tokens = create_workers(kempelen.endpoint, max(settings.concurrency))
        say(f"  {len(tokens)} workers created through POST /api/workers")
        targets = {"bare": _Target("bare", bare), "kempelen": _Target("kempelen", kempelen)}
        share = settings.duration / settings.rounds
        observed: list[float] = []  # Kempelen pairs/s per round: the best so far sizes the next round's HITs
        all_hits: list[str] = []
        levels = {}
        for concurrency in settings.concurrency:
            runs: dict[str, list[RoundResult]] = {"bare": [], "kempelen": []}
            for round_number in range(settings.rounds):
                warmup = settings.warmup if round_number == 0 else min(settings.warmup, 0.5)
                rate = max(observed) if observed else settings.rate_guess
                count = hits_needed(rate, warmup + share, concurrency, settings.margin)
                clock = time.monotonic()
                type_id, hit_ids = create_hits(mturk, f"{workload.TITLE} (workers c{concurrency} r{round_number})",
                                               count)
                all_hits += hit_ids
                targets["kempelen"].hit_type_id = type_id
                say(f"  c={concurrency:<3} round {round_number + 1}: {count} HITs x {MAX_ASSIGNMENTS} assignments "
                    f"created with boto3 in {time.monotonic() - clock:.1f} s (untimed)")
                for name in ("bare", "kempelen"):
                    result = run_round(targets[name], tokens[:concurrency], warmup, share)
                    if name == "kempelen":
                        result.hits = count
                        observed.append(result.pairs / result.window_s)
                    runs[name].append(result)
                    if result.first_error:
                        say(f"    {name}: first error: {result.first_error}")
                b, k = runs["bare"][-1], runs["kempelen"][-1]
                say(f"  c={concurrency:<3} round {round_number + 1}: bare {b.requests / b.window_s:8.1f} req/s, "
                    f"kempelen {k.requests / k.window_s:7.1f} req/s = {k.pairs / k.window_s:6.1f} pairs/s "
                    f"(server CPU {(k.server_cpu or 0) * 100:.0f}%, refusals {sum(k.refusals.values())}, "
                    f"errors {sum(k.errors.values())}, exhausted workers {k.exhausted_workers}, "
                    f"load average {k.load_avg:.1f})")
            baseline, ours = _pool(runs["bare"]), _pool(runs["kempelen"])
            levels[str(concurrency)] = {
                "bare": baseline, "kempelen": ours,
                "ratio": round(ours["rate_per_s"] / baseline["rate_per_s"], 4) if baseline["rate_per_s"] else None,
                "ratio_per_round": [round((k.requests / k.window_s) / (b.requests / b.window_s), 4)
                                    for b, k in zip(runs["bare"], runs["kempelen"]) if b.requests]}
            if settings.crowd:
                pairs = max(50, round(ours["pairs_per_s"] * settings.duration))
                crowd = crowd_round(kempelen.endpoint, mturk, concurrency, pairs, kempelen)
                all_hits += crowd.pop("hit_ids")
                bare_pairs = baseline["rate_per_s"] / 2
                crowd["ratio_to_bare_pairs"] = round(crowd["pairs_per_s"] / bare_pairs, 4) if bare_pairs else None
                crowd["ratio_to_raw_loop"] = (round(crowd["pairs_per_s"] / ours["pairs_per_s"], 4)
                                              if ours["pairs_per_s"] else None)
                levels[str(concurrency)]["crowd"] = crowd
                say(f"  c={concurrency:<3} crowd: {crowd['pairs']} pairs in {crowd['wall_s']:.1f} s = "
                    f"{crowd['pairs_per_s']:.1f} pairs/s ({crowd['req_per_s']:.1f} req/s, server CPU "
                    f"{(crowd['server_cpu'] or 0) * 100:.0f}%, refused {sum(crowd['refused'].values())}); bare "
                    f"{bare_pairs:.1f} pairs/s, ratio {crowd['ratio_to_bare_pairs']}")
        say(f"  verifying {len(all_hits)} HITs: database, then ListAssignmentsForHIT through boto3")
        clock = time.monotonic()
        verification = {"database": verify_database(database, all_hits), "boto3": verify_boto3(mturk, all_hits)}
        verification["seconds"] = round(time.monotonic() - clock, 1)
        acknowledged = sum(level["kempelen"]["accepts"] for level in levels.values())
        verification["over_assigned"] = (verification["database"]["over_assigned"]
                                         + verification["boto3"]["over_assigned"])
        say(f"  over-assigned HITs: {verification['over_assigned']} "
            f"({verification['database']['assignments']} assignments on {len(all_hits)} HITs; "
            f"{acknowledged} accepts recorded in measured windows)")
        return {"settings": {"concurrency": list(settings.concurrency), "warmup_s": settings.warmup,
                             "duration_s": settings.duration, "rounds": settings.rounds,
                             "max_assignments": MAX_ASSIGNMENTS, "margin": settings.margin,
                             "answer_bytes": len(ANSWER)},
                "levels": levels, "verification": verification}
    finally:
        kempelen.stop()
        bare.stop()
