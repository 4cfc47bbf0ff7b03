"""Benchmark 1: GetHIT, ListHITs and CreateHIT through the whole stack, against a bare FastAPI baseline.

Per operation, in alternating rounds (bare, Kempelen, bare, Kempelen, ...), the same pre-signed request bytes
go to the bare app and to `kempelen serve` (SQLite, system clock) with the same generator settings. The speed
of this shared 2-core machine drifts by up to 2x over tens of seconds, so the measured time is split into
short interleaved rounds and pooled: the ratio is Kempelen's pooled rate over the bare pooled rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import loadgen, servers, signing, workload
from bench.profiling import Profiler

OPERATIONS = ("GetHIT", "ListHITs", "CreateHIT")  # CreateHIT last: it grows the listing the others read
GETHIT_GOAL = 0.5  # Kempelen GetHIT rate >= half the bare endpoint's


@dataclass
class Settings:
    operations: tuple[str, ...] = OPERATIONS
    concurrency: int = 8
    warmup: float = 2.0
    duration: float = 10.0      # per target and operation, split over the rounds
    max_requests: int = 500_000
    rounds: int = 5
    seed_hits: int = 300
    page_size: int = 10
    pool_size: int = 64
    profile: Profiler | None = None


def _pool(runs: list[loadgen.RunResult]) -> dict:
    """The rounds of one target pooled: total responses over total measured time, percentiles over all
    latencies, CPU shares weighted by window; the per-round rates are kept to show the spread."""
    window = sum(run.window_s for run in runs)
    latencies = [latency for run in runs for latency in run.latencies_ms]
    pooled = loadgen.RunResult(label=runs[0].label, concurrency=runs[0].concurrency,
                               requests=sum(run.requests for run in runs), errors=sum(run.errors for run in runs),
                               window_s=window, latencies_ms=latencies,
                               client_cpu=_weighted(runs, "client_cpu"), server_cpu=_weighted(runs, "server_cpu"),
                               first_error=next((run.first_error for run in runs if run.first_error), None))
    return {**pooled.summary(), "rate_per_round": [round(run.rate, 1) for run in runs]}


def _weighted(runs: list[loadgen.RunResult], name: str) -> float | None:
    values = [(getattr(run, name), run.window_s) for run in runs]
    if any(value is None for value, _ in values):
        return None
    window = sum(w for _, w in values)
    return sum(value * w for value, w in values) / window if window else None


def _parameters(operation: str, hit_ids: list[str], pages: list[dict]) -> list[dict]:
    if operation == "GetHIT":
        return [{"HITId": hit_id} for hit_id in hit_ids]
    if operation == "ListHITs":
        return pages
    if operation == "CreateHIT":
        return [dict(workload.CREATE_HIT)]
    raise ValueError(f"not benchmarked: {operation}")


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub("throughput")
    database_url = f"sqlite:///{directory / 'kempelen.db'}"
    bare = servers.bare(directory)
    kempelen = servers.kempelen(database_url, directory, directory)
    try:
        bare.start()
        kempelen.start()
        mturk = workload.client(kempelen.endpoint)
        say(f"seeding {settings.seed_hits} HITs through CreateHIT (boto3, untimed)")
        hit_ids = [mturk.create_hit(**workload.CREATE_HIT)["HIT"]["HITId"] for _ in range(settings.seed_hits)]
        pages = workload.list_pages(mturk, settings.page_size, max_pages=settings.seed_hits // settings.page_size + 2)
        say(f"  {len(hit_ids)} HITs, {len(pages)} ListHITs pages of {settings.page_size}")

        results = {}
        for operation in settings.operations:
            parameters = _parameters(operation, hit_ids[:16], pages)
            runs: dict[str, list[loadgen.RunResult]] = {"bare": [], "kempelen": []}
            share = settings.duration / settings.rounds
            if settings.profile:
                settings.profile.start(kempelen.pid, operation)
            for round_number in range(settings.rounds):
                for server in (bare, kempelen):
                    # signed just before each run: a signature is good for 15 minutes
                    calls = signing.pool(kempelen.endpoint, operation, parameters, settings.pool_size)
                    raw = [call.raw(server.host_header) for call in calls]
                    warmup = settings.warmup if round_number == 0 else min(settings.warmup, 0.5)
                    if settings.profile and server is kempelen:
                        settings.profile.resume(warmup, share)
                    result = loadgen.run_load(servers.HOST, server.port, raw, concurrency=settings.concurrency,
                                              warmup=warmup, duration=share,
                                              max_requests=max(1, settings.max_requests // settings.rounds),
                                              cpu_probe=server.cpu_seconds, label=f"{operation} {server.name}")
                    if settings.profile and server is kempelen:
                        settings.profile.pause()
                    runs[server.name].append(result)
                    if result.first_error:
                        say(f"    {operation} {server.name}: first error: {result.first_error}")
                say(f"  {operation:<10} round {round_number + 1}: bare {runs['bare'][-1].rate:8.1f} req/s, "
                    f"kempelen {runs['kempelen'][-1].rate:7.1f} req/s (p50 {runs['kempelen'][-1].p50 or 0:.2f} ms, "
                    f"server CPU {(runs['kempelen'][-1].server_cpu or 0) * 100:.0f}%)")
            if settings.profile:
                settings.profile.stop()
            baseline, ours = _pool(runs["bare"]), _pool(runs["kempelen"])
            ratio = ours["rate_per_s"] / baseline["rate_per_s"] if baseline["rate_per_s"] else None
            round_ratios = [k.rate / b.rate for b, k in zip(runs["bare"], runs["kempelen"]) if b.rate]
            results[operation] = {"bare": baseline, "kempelen": ours, "ratio": ratio,
                                  "ratio_per_round": [round(value, 4) for value in round_ratios],
                                  "request_bytes": len(raw[0]), "distinct_requests": len(parameters)}
            if operation == "GetHIT":
                results[operation]["goal"] = {"ratio_at_least": GETHIT_GOAL,
                                              "met": ratio is not None and ratio >= GETHIT_GOAL}
        if settings.profile:
            settings.profile.summarize_all(say)
        return {"settings": {"operations": list(settings.operations), "concurrency": settings.concurrency,
                             "warmup_s": settings.warmup, "duration_s": settings.duration,
                             "rounds": settings.rounds, "seed_hits": settings.seed_hits,
                             "page_size": settings.page_size, "pool_size": settings.pool_size,
                             "listing_pages": len(pages), "profiled": bool(settings.profile)},
                "operations": results}
    finally:
        kempelen.stop()
        bare.stop()
