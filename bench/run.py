"""Run Kempelen's benchmarks, print a summary table and write JSON to bench/results/.

    .venv/bin/python -m bench.run                 # the full run (what `make bench` does)
    .venv/bin/python -m bench.run --quick         # a smoke run with small counts
    .venv/bin/python -m bench.run --only listing --sizes 1000,1000000
    .venv/bin/python -m bench.run --only workers
    .venv/bin/python -m bench.run --only requirements   # not in the full run: about 10 minutes
    .venv/bin/python -m bench.run --only notifications  # not in the full run: about 5 minutes
    .venv/bin/python -m bench.run --only state          # not in the full run: reset/snapshots at 100,000 HITs

Benchmarks: `throughput` (GetHIT, ListHITs, CreateHIT against a bare FastAPI endpoint), `listing`
(ListHITs page time and GetHIT at 1,000 and 1,000,000 HITs) and `workers` (accept-and-submit through the
worker API with 1, 8 and 32 scripted workers against the same bare endpoint); and, only when named,
`requirements` (a worker's GET /api/worker/hits over 100,000 HITs whose 1,000 HIT types carry
QualificationRequirements, against the same HITs without) and `notifications` (a burst of 10,000 events
delivered to moto's SQS: delivery rate, outbox lag, time to drain). See bench/README.md for how to read the
output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

DEFAULT_BENCHMARKS = ("throughput", "processes", "startup", "listing", "workers")
# requirements (about 10 minutes) and notifications (about 5 minutes) run only when named
BENCHMARKS = (*DEFAULT_BENCHMARKS, "requirements", "notifications", "state")
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _csv(kind):
    def parse(text: str):
        return tuple(kind(item.strip().replace("_", "")) for item in text.split(",") if item.strip())
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run: short windows, small counts")
    parser.add_argument("--only", type=_csv(str), default=DEFAULT_BENCHMARKS, metavar="NAMES",
                        help="comma-separated benchmarks to run: throughput,processes,startup,listing,workers,"
                             "requirements,notifications (default: throughput,processes,startup,listing,workers)")
    group = parser.add_argument_group("throughput")
    group.add_argument("--ops", type=_csv(str), metavar="OPS",
                       help="operations (default GetHIT,GetAccountBalance,ListHITs,CreateHIT)")
    group.add_argument("--databases", type=_csv(str), metavar="DBS",
                       help="sqlite,postgresql (default both; PostgreSQL from KEMPELEN_BENCH_POSTGRES_URL)")
    group.add_argument("--concurrency", type=int, default=16, help="connections, one request in flight each (16)")
    group.add_argument("--generator", choices=("wrk", "processes", "asyncio"),
                       help="load generator: wrk (default when installed), processes (the asyncio generator in "
                            "one process per CPU; the default without wrk), asyncio (one process)")
    group.add_argument("--server-workers", type=int, default=1, help="kempelen serve --workers N (1)")
    group.add_argument("--warmup", type=float, help="seconds of warm-up before the first round (2; quick 0.5); later rounds 0.5 at most")
    group.add_argument("--duration", type=float, help="seconds measured per target and operation (10; quick 2)")
    group.add_argument("--rounds", type=int,
                       help="alternating bare/Kempelen rounds the duration is split into, pooled (5; quick 2)")
    group.add_argument("--seed-hits", type=int, help="HITs created before the runs (300; quick 100)")
    group.add_argument("--profile", action="store_true",
                       help="sample the Kempelen server with py-spy in each measured window (rates then not quotable)")
    group = parser.add_argument_group("listing")
    group.add_argument("--sizes", type=_csv(int), metavar="N,N", help="HIT counts (1000,1000000; quick 1000,20000)")
    group.add_argument("--page-duration", type=float,
                       help="seconds measured per case and size, over all rounds (8; quick 1.5)")
    group.add_argument("--page-requests", type=int,
                       help="at most this many timed requests per case and size (1000; quick 100)")
    group = parser.add_argument_group("workers")
    group.add_argument("--workers", type=_csv(int), metavar="N,N",
                       help="concurrent scripted workers, one level after another (1,8,32; quick 1,8)")
    group.add_argument("--worker-duration", type=float,
                       help="seconds measured per target and level, split over the rounds (6; quick 1.5)")
    group.add_argument("--worker-rounds", type=int, help="alternating bare/Kempelen rounds per level (3; quick 1)")
    group = parser.add_argument_group("requirements")
    group.add_argument("--requirement-hits", type=int,
                       help="HITs per database, over 1,000 HIT types (100000; quick 10000 over 100 types)")
    group.add_argument("--requirement-rounds", type=int, help="interleaved rounds (4; quick 2)")
    group = parser.add_argument_group("notifications")
    group.add_argument("--notification-events", type=int, help="events in the burst (10000; quick 1000)")
    group.add_argument("--delivery-interval", type=float,
                       help="KEMPELEN_DELIVERY_INTERVAL for the server (default: the server's own, 1.0 s)")
    group = parser.add_argument_group("state")
    group.add_argument("--state-hits", type=int, help="HITs in the database (100000; quick 10000)")
    group.add_argument("--state-rounds", type=int, help="rounds of save/restore/reset (3; quick 1)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where the JSON goes (bench/results)")
    parser.add_argument("--no-json", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary databases and server logs")
    return parser


def _versions() -> dict:
    names = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "pydantic", "botocore")
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _fmt(value, digits: int = 2, width: int = 0) -> str:
    text = "-" if value is None else f"{value:,.{digits}f}"
    return text.rjust(width) if width else text


def _pct(value) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = "  ".join("-" * width for width in widths)
    out = ["  ".join(str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                     for i, (cell, width) in enumerate(zip(row, widths))) for row in [headers, *rows]]
    return "\n".join([out[0], line, *out[1:]])


def summary(results: dict) -> str:
    parts = []
    throughput = results.get("throughput")
    if throughput:
        parts.append(throughput_summary(throughput))
    listing = results.get("listing")
    if listing:
        s = listing["settings"]
        sizes = list(listing["sizes"])
        parts.append(f"Listing: one request at a time, all sizes served at once and measured in {s['rounds']} "
                     f"interleaved rounds, up to {s['duration_s']:g} s or {s['max_requests']} requests per case "
                     f"and size; MaxResults {s['page_size']}")
        load_rows = [[f"{int(size):,} HITs", f"{v['load']['insert_s']:.1f} s",
                      f"{v['load'].get('insert_cpu_s', 0):.1f} s", f"{v['load']['rows_per_s']:,}/s",
                      f"{v['load']['database_bytes'] / 1e6:,.0f} MB", f"{v['load'].get('load_average', 0):.1f}"]
                     for size, v in listing["sizes"].items()]
        parts.append(_table(["bulk load", "insert (wall)", "CPU", "rows", "database", "load avg"], load_rows))
        headers = ["case"]
        for size in sizes:
            headers += [f"p50 ms @{int(size):,}", f"p99 ms @{int(size):,}"]
        headers.append("ratio p50 (large/small)")
        rows = []
        names = {"first": "ListHITs first page", "middle": "ListHITs middle pages", "deep": "ListHITs deep pages",
                 "GetHIT": "GetHIT"}
        for case in next(iter(listing["sizes"].values()))["cases"]:
            row = [names.get(case, case)]
            for size in sizes:
                c = listing["sizes"][size]["cases"].get(case, {})
                row += [_fmt(c.get("p50_ms")), _fmt(c.get("p99_ms"))]
            ratio = listing["ratios"].get(case)
            if ratio:
                goal = "" if case == "GetHIT" else \
                    f" (goal <= {ratio['goal']['ratio_at_most']}: {'met' if ratio['goal']['met'] else 'MISSED'})"
                row.append(_fmt(ratio["ratio"], 2) + goal)
            else:
                row.append("-")
            rows.append(row)
        parts.append(_table(headers, rows))
    if results.get("processes"):
        from bench import processes

        parts.append(processes.summary(results["processes"], results["processes_settings"]))
    if results.get("startup"):
        from bench import startup

        parts.append(startup.summary(results["startup"]))
    workers = results.get("workers")
    if workers:
        parts.append(_workers_summary(workers))
    if results.get("state"):
        parts.append(_state_summary(results["state"]))
    requirements = results.get("requirements")
    if requirements:
        parts.append(_requirements_summary(requirements))
    if results.get("notifications"):
        from bench import notifications

        parts.append(notifications.summary(results["notifications"]))
    return "\n\n".join(parts)


def _goal(goal: dict | None, key: str = "ratio_at_least", sign: str = ">=") -> str:
    if not goal:
        return ""
    return f" (goal {sign} {goal[key]}: {'met' if goal['met'] else 'MISSED'})"


def throughput_summary(throughput: dict) -> str:
    s = throughput["settings"]
    text = [f"Throughput: {s['concurrency']} keep-alive connections driven by {s['generator']}; per database, "
            f"operation and target {s['duration_s']:g} s measured in {s['rounds']} alternating rounds (bare, "
            f"Kempelen, ...), {s['warmup_s']:g} s warm-up first; kempelen serve --workers {s['server_workers']}; "
            f"ListHITs MaxResults {s['page_size']}; bare = FastAPI POST / reading and parsing the JSON body"
            + ("; PROFILED (rates not quotable)" if s["profiled"] else "")]
    rows = []
    for kind, database in throughput["databases"].items():
        if "operations" not in database:
            rows.append([kind, "", database.get("skipped", "-")] + [""] * 11)
            continue
        for operation, result in database["operations"].items():
            loads = result.get("load_average_per_round") or []
            for target in ("bare", "kempelen"):
                r = result[target]
                ratio = spread = p99 = ""
                if target == "kempelen":
                    ratio = _fmt(result["ratio"], 3) + _goal(result.get("goal"))
                    per_round = result.get("ratio_per_round") or []
                    spread = f"{min(per_round):.2f}-{max(per_round):.2f}" if per_round else "-"
                    if "p99_goal" in result:
                        p99 = f"{result['p99_goal']['ratio']:.2f}x" + _goal(result["p99_goal"], "ratio_at_most", "<=")
                rows.append([kind if target == "bare" and operation == next(iter(database["operations"])) else "",
                             operation if target == "bare" else "", target, _fmt(r["rate_per_s"], 0),
                             _fmt(r["p50_ms"]), _fmt(r["p99_ms"]), str(r["errors"]), _pct(r["server_cpu"]),
                             _fmt(r["server_cpu_ms_per_request"], 3),
                             _fmt(r.get("database_cpu_ms_per_request"), 3) if target == "kempelen" else "",
                             _pct(r["client_cpu"]),
                             f"{min(loads):.1f}-{max(loads):.1f}" if loads and target == "kempelen" else "",
                             spread, ratio, p99])
    text.append(_table(["db", "operation", "target", "req/s", "p50 ms", "p99 ms", "errors", "server CPU",
                        "CPU ms/req", "db CPU ms/req", "client CPU", "load avg", "ratio/round", "ratio (Kempelen/bare)",
                        "p99 vs bare"], rows))
    return "\n".join(text)


def _counts(counts: dict) -> str:
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "0"


def _workers_summary(workers: dict) -> str:
    s = workers["settings"]
    text = [f"Workers: each scripted worker one keep-alive connection looping accept-next (by HIT type) + submit; "
            f"per level and target {s['duration_s']:g} s measured in {s['rounds']} alternating rounds (bare, "
            f"Kempelen, ...), {s['warmup_s']:g} s warm-up first; a fresh HIT type per round, MaxAssignments "
            f"{s['max_assignments']}; bare gets the same request bytes on POST /"]
    rows = []
    for level, result in workers["levels"].items():
        for target in ("bare", "kempelen"):
            r = result[target]
            ratio = spread = ""
            if target == "kempelen":
                ratio = _fmt(result["ratio"], 3)
                per_round = result["ratio_per_round"]
                spread = f"{min(per_round):.3f}-{max(per_round):.3f}" if per_round else "-"
            rows.append([level if target == "bare" else "", target, _fmt(r["rate_per_s"], 1),
                         _fmt(r["pairs_per_s"], 1), _fmt(r["accepts_per_s"], 1), _fmt(r["p50_ms"]),
                         _fmt(r["p99_ms"]), _counts(r["refusals"]) if target == "kempelen" else "-",
                         str(r["error_count"]), _pct(r["server_cpu"]), _pct(r["client_cpu"]), spread, ratio])
    text.append(_table(["workers", "target", "req/s", "pairs/s", "accepts/s", "p50 ms", "p99 ms", "refusals",
                        "errors", "server CPU", "client CPU", "ratio per round", "ratio req/s (Kempelen/bare)"],
                       rows))
    crowd_rows = [[level, str(c["pairs"]), _fmt(c["wall_s"], 1), _fmt(c["pairs_per_s"], 1), _fmt(c["req_per_s"], 1),
                   _fmt(result["bare"]["rate_per_s"] / 2, 1), _pct(c["server_cpu"]), _counts(c["refused"]),
                   _fmt(c["ratio_to_raw_loop"], 3), _fmt(c["ratio_to_bare_pairs"], 3)]
                  for level, result in workers["levels"].items() for c in [result.get("crowd")] if c]
    if crowd_rows:
        text.append("Simulated workforce (kempelen.testing.crowd, flat out: no work time, pauses, returns or "
                    "abandons), the same levels, timed from its first request (workers created, HITs listed) "
                    "to its last:")
        text.append(_table(["workers", "pairs", "seconds", "pairs/s", "req/s", "bare pairs/s", "server CPU",
                            "refusals", "vs raw loop", "ratio pairs/s (crowd/bare)"], crowd_rows))
    loads = [x for level in workers["levels"].values() for target in ("bare", "kempelen")
             for x in level[target]["load_avg_per_round"]]
    exhausted = sum(level["kempelen"]["exhausted_workers"] for level in workers["levels"].values())
    if loads:
        text.append(f"1-minute load average after the rounds: {min(loads):.1f}-{max(loads):.1f} on "
                    f"{os.cpu_count()} CPUs" + (f"; {exhausted} workers ran out of HITs (rates understated)"
                                                if exhausted else ""))
    v = workers["verification"]
    db, listed = v["database"], v["boto3"]
    text.append(f"Over-assignment: {v['over_assigned']} HITs over MaxAssignments (database: {db['over_assigned']} "
                f"of {db['hits']} HITs, {db['assignments']} assignments, {db['full_hits']} HITs full, "
                f"{db['left_accepted']} left Accepted, {db['done_counter_mismatches']} done-counter mismatches; "
                f"ListAssignmentsForHIT: {listed['over_assigned']} of {listed['hits']} HITs, "
                f"{listed['assignments_listed']} listed) -- must be 0: "
                f"{'met' if v['over_assigned'] == 0 else 'MISSED'}")
    return "\n".join(text)


def _state_summary(state: dict) -> str:
    s = state["settings"]
    text = [f"State: a database of {s['hits']:,} HITs ({s['assignments']:,} assignments) of one requester and "
            f"{s['other_hits']:,} of another; in-process (kempelen.operations.state), median of {s['rounds']} rounds"]
    rows = []
    for kind, result in state["databases"].items():
        t = result["timings"]
        rows.append([kind, f"{result['database_bytes'] / 1e6:,.0f} MB", _fmt(t["save"]["median_s"], 3),
                     _fmt(t["restore"]["median_s"], 3), _fmt(t["restore_after_reset_one"]["median_s"], 3),
                     _fmt(t["restore_after_reset"]["median_s"], 3),
                     _fmt(t["reset_all"]["median_s"], 3), _fmt(t["reset_one_requester"]["median_s"], 3),
                     f"{t['baseline']['what']} {_fmt(t['baseline']['median_s'], 3)}",
                     _fmt(t["restore"]["ratio_to_baseline"], 2)])
    text.append(_table(["database", "size", "save s", "restore after a test s", "restore after reset 1 s",
                        "restore after reset all s", "reset all s",
                        "reset 1 requester s", "baseline s", "restore/baseline"], rows))
    return "\n".join(text)


def _requirements_summary(requirements: dict) -> str:
    s = requirements["settings"]
    text = [f"Requirements: one worker's GET /api/worker/hits (MaxResults {s['page_size']}), one request at a time, "
            f"{s['hits']:,} HITs over {s['hit_types']:,} HIT types with QualificationRequirements vs the same "
            f"without, both served at once and measured in {s['rounds']} interleaved rounds"]
    rows = []
    for case, entry in requirements["cases"].items():
        with_, without = entry["requirements"], entry["none"]
        spread = entry["ratio_per_round"]
        rows.append([case, _fmt(with_["p50_ms"], 1), _fmt(with_["p99_ms"], 1), _fmt(without["p50_ms"], 1),
                     _fmt(without["p99_ms"], 1), str(with_["requests"]), str(with_["errors"] + without["errors"]),
                     f"{min(spread):.2f}-{max(spread):.2f}" if spread else "-",
                     f"{entry['ratio_p50']:.2f} (goal <= {entry['goal']['ratio_at_most']}: "
                     f"{'met' if entry['goal']['met'] else 'MISSED'})"])
    text.append(_table(["case", "p50 ms req", "p99 ms req", "p50 ms none", "p99 ms none", "samples", "errors",
                        "ratio per round", "ratio p50 (req/none)"], rows))
    check = requirements["verification"]["requirements"]
    text.append(f"Hidden from the worker: {check['hidden_types']} of {check['hit_types']} HIT types "
                f"({check['discover_guarded_types']} discover-guarded); walked {check['walked_hits']:,} HITs of "
                f"{check['walked_types']} types: matches the database {check['walk_matches_database']}, hidden types "
                f"listed {check['hidden_types_listed']}, GetHIT cross-check {check['gethit_listed_checked']} listed + "
                f"{check['gethit_hidden_checked']} hidden, disagreeing "
                f"{len(check['gethit_listed_not_discoverable']) + len(check['gethit_hidden_but_discoverable'])} -- "
                f"{'verified' if requirements['verified'] else 'FAILED'}")
    return "\n".join(text)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    if args.ops and set(args.ops) - {"GetHIT", "GetAccountBalance", "ListHITs", "CreateHIT"}:
        raise SystemExit("--ops: choose from GetHIT, GetAccountBalance, ListHITs, CreateHIT")
    if args.databases and set(args.databases) - {"sqlite", "postgresql"}:
        raise SystemExit("--databases: choose from sqlite, postgresql")
    if args.workers and min(args.workers) < 1:
        raise SystemExit("--workers: at least 1")
    if args.sizes and min(args.sizes) < 100:
        raise SystemExit("--sizes: at least 100 HITs each")
    command = shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
    print(f"command: {command}", flush=True)
    print(f"cwd: {os.getcwd()}", flush=True)

    def say(text: str) -> None:
        print(text, flush=True)

    from bench import (drivers, listing, notifications, processes, requirements, servers, startup,  # after checks
                       throughput, workers)

    quick = args.quick
    started_at = datetime.now(timezone.utc)
    workspace = servers.Workspace(keep=args.keep)
    results: dict = {}
    document = {"command": command, "started_at": started_at.isoformat(), "quick": quick,
                "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                            "python": platform.python_version()},
                "versions": _versions(), "results": results}
    clock = time.monotonic()
    try:
        if "throughput" in args.only:
            from bench.profiling import Profiler

            say("\n== throughput ==")
            settings = throughput.Settings(
                operations=args.ops or throughput.OPERATIONS, concurrency=args.concurrency,
                databases=args.databases or throughput.DATABASES, server_workers=args.server_workers,
                generator=args.generator or drivers.default_generator(),
                warmup=args.warmup if args.warmup is not None else (0.5 if quick else 1.0),
                duration=args.duration if args.duration is not None else (2.0 if quick else 10.0),
                rounds=args.rounds or (2 if quick else 5), seed_hits=args.seed_hits or (100 if quick else 300),
                profile=Profiler(args.results_dir / f"profile-{started_at:%Y%m%d-%H%M%S}") if args.profile else None)
            results["throughput"] = throughput.run(settings, workspace, say)
        if "processes" in args.only:
            say("\n== processes ==")
            settings = throughput.Settings(
                operations=processes.OPERATIONS, concurrency=args.concurrency,
                generator=args.generator or drivers.default_generator(),
                warmup=args.warmup if args.warmup is not None else (0.5 if quick else 1.0),
                duration=args.duration if args.duration is not None else (2.0 if quick else 10.0),
                rounds=args.rounds or (2 if quick else 5))
            results["processes"] = processes.run(settings, workspace, say)
            results["processes_settings"] = {"concurrency": settings.concurrency, "generator": settings.generator}
        if "startup" in args.only:
            say("\n== startup ==")
            results["startup"] = startup.run(startup.Settings(rounds=2 if quick else 5), workspace, say)
        if "listing" in args.only:
            say("\n== listing ==")
            settings = listing.Settings(
                sizes=args.sizes or ((1_000, 20_000) if quick else (1_000, 1_000_000)),
                warmup=0.3 if quick else 1.0,
                duration=args.page_duration if args.page_duration is not None else (1.5 if quick else 8.0),
                max_requests=args.page_requests or (100 if quick else 1000), rounds=2 if quick else 4)
            results["listing"] = listing.run(settings, workspace, say)
        if "workers" in args.only:
            say("\n== workers ==")
            settings = workers.Settings(
                concurrency=args.workers or ((1, 8) if quick else workers.CONCURRENCY),
                warmup=0.5 if quick else 1.0,
                duration=args.worker_duration if args.worker_duration is not None else (1.5 if quick else 6.0),
                rounds=args.worker_rounds or (1 if quick else 3))
            results["workers"] = workers.run(settings, workspace, say)
        if "requirements" in args.only:
            say("\n== requirements ==")
            hits = args.requirement_hits or (10_000 if quick else 100_000)
            settings = requirements.Settings(
                hit_types=min(1_000, max(10, hits // 100)), hits=hits, pages=(5,) if quick else (10, 50),
                walk_pages=5 if quick else 20, rounds=args.requirement_rounds or (2 if quick else 4),
                max_requests=10 if quick else 60, walks=2 if quick else 4, samples=10 if quick else 40)
            results["requirements"] = requirements.run(settings, workspace, say)
        if "state" in args.only:
            from bench import state

            say("\n== state ==")
            settings = state.Settings(hits=args.state_hits or (10_000 if quick else 100_000),
                                      rounds=args.state_rounds or (1 if quick else 3))
            results["state"] = state.run(settings, workspace, say)
        if "notifications" in args.only:
            say("\n== notifications ==")
            settings = notifications.Settings(
                events=args.notification_events or (1_000 if quick else 10_000),
                baseline_duration=1.0 if quick else 3.0, delivery_interval=args.delivery_interval)
            results["notifications"] = notifications.run(settings, workspace, say)
    finally:
        workspace.cleanup()
        if args.keep:
            say(f"kept: {workspace.path}")
    document["elapsed_s"] = round(time.monotonic() - clock, 1)

    say("\n== summary ==")
    say(f"command: {command}")
    say(summary(results))
    if not args.no_json:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        path = args.results_dir / f"bench-{started_at:%Y%m%d-%H%M%S}{'-quick' if quick else ''}.json"
        path.write_text(json.dumps(document, indent=1, default=str) + "\n")
        say(f"\nJSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
