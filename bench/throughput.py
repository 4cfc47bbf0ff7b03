"""Benchmark 1: Requester API operations through the whole stack, against a bare FastAPI baseline, on SQLite
and on PostgreSQL.

Per database and operation, in alternating rounds (bare, Kempelen, bare, Kempelen, ...), the same pre-signed
request bytes go to the bare app (which reads and parses the JSON body) and to `kempelen serve` (system
clock) with the same load generator settings (bench.drivers: wrk when installed). The speed of this shared
2-core machine drifts by up to 2x over tens of seconds, so the measured time is split into short
interleaved rounds and pooled: the ratio is Kempelen's pooled rate over the bare pooled rate.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from bench import drivers, loadgen, servers, signing, workload
from bench.profiling import Profiler

# CreateHIT last: it grows the listing the others read
OPERATIONS = ("GetHIT", "GetAccountBalance", "ListHITs", "CreateHIT")
DATABASES = ("sqlite", "postgresql")
# Kempelen's rate / the bare endpoint's, at least (issue 13)
GOALS = {"sqlite": {"GetHIT": 0.5, "GetAccountBalance": 0.6, "ListHITs": 0.3, "CreateHIT": 0.25},
         "postgresql": {"GetHIT": 0.4, "CreateHIT": 0.2}}
P99_GOAL = 3.0  # on SQLite, Kempelen's p99 at most 3x the bare endpoint's


@dataclass
class Settings:
    operations: tuple[str, ...] = OPERATIONS
    databases: tuple[str, ...] = DATABASES
    concurrency: int = 16
    generator: str = field(default_factory=drivers.default_generator)
    warmup: float = 1.0
    duration: float = 10.0      # per target and operation, split over the rounds
    rounds: int = 5
    seed_hits: int = 300
    page_size: int = 10
    pool_size: int = 64
    server_workers: int = 1
    profile: Profiler | None = None


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def pool(runs: list[loadgen.RunResult]) -> dict:
    """The rounds of one target pooled: total responses over total measured time, percentiles over all
    latencies (weighted), CPU shares weighted by window, server CPU per request; per-round rates kept."""
    window = sum(run.window_s for run in runs)
    requests = sum(run.requests for run in runs)
    percentiles = loadgen.pooled_percentiles(runs, (50, 90, 99))
    server_seconds = sum((run.server_cpu or 0) * run.window_s for run in runs)
    client_seconds = sum((run.client_cpu or 0) * run.window_s for run in runs)
    measured = [run for run in runs if run.database_cpu is not None]
    database_seconds = sum(run.database_cpu * run.window_s for run in measured)
    database_requests = sum(run.requests for run in measured)
    rate = requests / window if window else 0.0
    return {"label": runs[0].label, "concurrency": runs[0].concurrency, "requests": requests,
            "errors": sum(run.errors for run in runs), "window_s": round(window, 3), "rate_per_s": round(rate, 1),
            "p50_ms": _r(percentiles[50]), "p90_ms": _r(percentiles[90]), "p99_ms": _r(percentiles[99]),
            "server_cpu": _r(server_seconds / window if window else None),
            "client_cpu": _r(client_seconds / window if window else None),
            "server_cpu_ms_per_request": _r(1000 * server_seconds / requests if requests else None, 4),
            # PostgreSQL's own processes in the same windows (None on SQLite, or a server on another host)
            "database_cpu_ms_per_request": _r(1000 * database_seconds / database_requests
                                              if database_requests else None, 4),
            "first_error": next((run.first_error for run in runs if run.first_error), None),
            "rate_per_round": [round(run.rate, 1) for run in runs]}


def _r(value, digits: int = 3):
    return None if value is None else round(value, digits)


def _parameters(operation: str, hit_ids: list[str], pages: list[dict]) -> list[dict]:
    if operation == "GetHIT":
        return [{"HITId": hit_id} for hit_id in hit_ids]
    if operation == "GetAccountBalance":
        return [{}]
    if operation == "ListHITs":
        return pages
    if operation == "CreateHIT":
        return [dict(workload.CREATE_HIT)]
    raise ValueError(f"not benchmarked: {operation}")


class _WithDatabaseCPU:
    """A target's CPU probe that also reads the database server's CPU at the same moments: every generator
    calls its probe exactly at the measured window's start and end, so the two share one window."""

    def __init__(self, server_probe, database_probe):
        self._server_probe, self._database_probe = server_probe, database_probe
        self.readings: list[tuple[float, float | None]] = []

    def __call__(self) -> float | None:
        self.readings.append((time.monotonic(), self._database_probe()))
        return self._server_probe()

    def share(self) -> float | None:
        """The database's CPU seconds / wall seconds between the last two readings."""
        if len(self.readings) < 2:
            return None
        (started, before), (ended, after) = self.readings[-2:]
        if before is None or after is None or ended <= started:
            return None
        return (after - before) / (ended - started)


def alternate(settings: Settings, targets: list[servers.ChildServer], operation: str,
              parameters: list[dict], say, profile_pid: int | None = None, profile_name: str = "",
              database_probe=None) -> dict[str, list[loadgen.RunResult]]:
    """`settings.rounds` rounds, each driving every target in turn with the same signed bytes.
    `database_probe`: the database server's CPU seconds, read around Kempelen's windows."""
    runs: dict[str, list[loadgen.RunResult]] = {target.name: [] for target in targets}
    share = settings.duration / settings.rounds
    loads = []
    if settings.profile and profile_pid:
        settings.profile.start(profile_pid, profile_name or operation)
    for round_number in range(settings.rounds):
        for target in targets:
            # signed just before each run (a signature is good for 15 minutes), for the target's own Host
            calls = signing.pool(target.endpoint, operation, parameters, settings.pool_size)
            raw = [call.raw(target.host_header) for call in calls]
            warmup = settings.warmup if round_number == 0 else min(settings.warmup, 0.5)
            profiled = settings.profile and target.pid == profile_pid
            if profiled:
                settings.profile.resume(warmup, share)
            probe = target.cpu_seconds
            if database_probe is not None and target.name == "kempelen":
                probe = _WithDatabaseCPU(target.cpu_seconds, database_probe)
            result = drivers.drive(settings.generator, servers.HOST, target.port, raw,
                                   concurrency=settings.concurrency, warmup=warmup, duration=share,
                                   cpu_probe=probe, label=f"{operation} {target.name}")
            if isinstance(probe, _WithDatabaseCPU):
                result.database_cpu = probe.share()
            if profiled:
                settings.profile.pause()
            runs[target.name].append(result)
            if result.first_error:
                say(f"    {operation} {target.name}: first error: {result.first_error}")
        loads.append(load_average())
        say(f"  {operation:<17} round {round_number + 1}: " + ", ".join(
            f"{name} {rs[-1].rate:7.1f}/s (p99 {rs[-1].p99 or 0:.1f} ms, CPU {(rs[-1].server_cpu or 0) * 100:.0f}%)"
            for name, rs in runs.items()) + f"  load {loads[-1]}")
    if settings.profile and profile_pid:
        settings.profile.stop()
    runs["_load_average"] = loads  # type: ignore[assignment]
    return runs


def _check(server: servers.ChildServer, endpoint: str, operation: str, parameters: list[dict]) -> None:
    """One request of each distinct body through the same bytes path, answered 200: the benchmark measures
    successes, and wrk counts only HTTP statuses."""
    calls = signing.pool(endpoint, operation, parameters, len(parameters))
    for call in calls[:20]:
        status, body = servers.send_raw(server.port, call.raw(server.host_header))
        if status != 200:
            raise RuntimeError(f"{operation} answered {status}: {body[:300]!r}")


def run_database(kind: str, settings: Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub(f"throughput-{kind}")
    with servers.database(kind, directory) as database_url:
        if database_url is None:
            say(f"  {kind}: not reachable, skipped")
            return {"skipped": "database not reachable"}
        bare = servers.bare(directory)
        kempelen = servers.kempelen(database_url, directory, directory, workers=settings.server_workers)
        try:
            bare.start()
            kempelen.start()
            mturk = workload.client(kempelen.endpoint)
            say(f"  {kind}: seeding {settings.seed_hits} HITs through CreateHIT (boto3, untimed)")
            hit_ids = [mturk.create_hit(**workload.CREATE_HIT)["HIT"]["HITId"] for _ in range(settings.seed_hits)]
            pages = workload.list_pages(mturk, settings.page_size,
                                        max_pages=settings.seed_hits // settings.page_size + 2)
            results = {}
            # the database server takes its CPU from the same two cores: measured where it can be
            database_probe = (servers.postgres_cpu_seconds
                              if kind == "postgresql" and servers.postgres_is_local() else None)
            for operation in settings.operations:
                parameters = _parameters(operation, hit_ids[:16], pages)
                _check(kempelen, kempelen.endpoint, operation, parameters)
                runs = alternate(settings, [bare, kempelen], operation, parameters, say,
                                 profile_pid=kempelen.pid, profile_name=f"{kind}-{operation}",
                                 database_probe=database_probe)
                loads = runs.pop("_load_average")
                baseline, ours = pool(runs["bare"]), pool(runs["kempelen"])
                ratio = ours["rate_per_s"] / baseline["rate_per_s"] if baseline["rate_per_s"] else None
                entry = {"bare": baseline, "kempelen": ours, "ratio": ratio,
                         "ratio_per_round": [round(k.rate / b.rate, 4) for b, k in
                                             zip(runs["bare"], runs["kempelen"]) if b.rate],
                         "load_average_per_round": loads, "distinct_requests": len(parameters)}
                goal = GOALS.get(kind, {}).get(operation)
                if goal is not None:
                    entry["goal"] = {"ratio_at_least": goal, "met": ratio is not None and ratio >= goal}
                if kind == "sqlite" and baseline["p99_ms"] and ours["p99_ms"]:
                    p99_ratio = ours["p99_ms"] / baseline["p99_ms"]
                    entry["p99_goal"] = {"ratio": round(p99_ratio, 2), "ratio_at_most": P99_GOAL,
                                         "met": p99_ratio <= P99_GOAL}
                results[operation] = entry
            return {"operations": results, "seed_hits": len(hit_ids), "listing_pages": len(pages)}
        finally:
            kempelen.stop()
            bare.stop()


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    databases = {}
    for kind in settings.databases:
        say(f"-- {kind} --")
        databases[kind] = run_database(kind, settings, workspace, say)
    if settings.profile:
        settings.profile.summarize_all(say)
    return {"settings": {"operations": list(settings.operations), "databases": list(settings.databases),
                         "concurrency": settings.concurrency, "generator": settings.generator,
                         "warmup_s": settings.warmup, "duration_s": settings.duration, "rounds": settings.rounds,
                         "seed_hits": settings.seed_hits, "page_size": settings.page_size,
                         "pool_size": settings.pool_size, "server_workers": settings.server_workers,
                         "profiled": bool(settings.profile)},
            "databases": databases}
