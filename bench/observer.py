"""What watching a server costs: GetHIT through `kempelen serve` with and without the request observer
(kempelen.observability), against the bare endpoint, in alternating rounds of one run.

Targets: `bare` (bench.bare); `unobserved` (kempelen serve with the observer replaced by a pass-through,
bench.unobserved); `metrics` (kempelen serve --log-level warning: request metrics, no log line, as
bench.throughput runs it); `logged` (--log-level info, the default: metrics and one log line per request,
written to a file). Each Kempelen target has its own SQLite database with the same 16 HITs.

    .venv/bin/python -m bench.observer [--duration 24] [--rounds 6] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench import loadgen, servers, signing, workload
from bench.throughput import pool

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def kempelen_target(name: str, module: str, log_level: str, directory: Path) -> servers.ChildServer:
    port = servers.free_port()
    data = directory / name
    data.mkdir()
    argv = [sys.executable, "-m", module, "serve", "--host", servers.HOST, "--port", str(port), "--clock", "system",
            "--database-url", f"sqlite:///{data / 'kempelen.db'}", "--data-dir", str(data), "--log-level", log_level]
    return servers.ChildServer(name, argv, port, directory, health_path="/_kempelen/health")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.observer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=24.0, help="seconds measured per target (24)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds (6)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (8)")
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args(argv)
    print("$ " + " ".join([sys.executable, "-m", "bench.observer", *(argv or sys.argv[1:])]), flush=True)

    with tempfile.TemporaryDirectory(prefix="kempelen-bench-observer-") as tmp:
        directory = Path(tmp)
        targets = [servers.bare(directory),
                   kempelen_target("unobserved", "bench.unobserved", "warning", directory),
                   kempelen_target("metrics", "kempelen.cli", "warning", directory),
                   kempelen_target("logged", "kempelen.cli", "info", directory)]
        try:
            parameters = {}
            for target in targets:
                target.start()
                if target.name != "bare":
                    mturk = workload.client(target.endpoint)
                    parameters[target.name] = [{"HITId": mturk.create_hit(**workload.CREATE_HIT)["HIT"]["HITId"]}
                                               for _ in range(16)]
            runs: dict[str, list[loadgen.RunResult]] = {target.name: [] for target in targets}
            share = args.duration / args.rounds
            for round_number in range(args.rounds):
                for target in targets:
                    source = target if target.name != "bare" else targets[1]  # bare gets unobserved's bytes
                    calls = signing.pool(source.endpoint, "GetHIT", parameters[source.name], 64)
                    raw = [call.raw(target.host_header) for call in calls]
                    result = loadgen.run_load(servers.HOST, target.port, raw, concurrency=args.concurrency,
                                              warmup=2.0 if round_number == 0 else 0.5, duration=share,
                                              cpu_probe=target.cpu_seconds, label=f"GetHIT {target.name}")
                    runs[target.name].append(result)
                    if result.first_error:
                        print(f"  {target.name}: first error: {result.first_error}", flush=True)
                print(f"  round {round_number + 1}: " + ", ".join(
                    f"{name} {results[-1].rate:7.1f}" for name, results in runs.items()) + " req/s", flush=True)
            logged_lines = sum(1 for line in (directory / "logged.log").read_text().splitlines()
                               if "kempelen.requests" in line)
        finally:
            for target in targets:
                target.stop()

    pooled = {name: pool(results) for name, results in runs.items()}
    bare_rate, unobserved_rate = pooled["bare"]["rate_per_s"], pooled["unobserved"]["rate_per_s"]
    summary = {name: {"rate_per_s": value["rate_per_s"], "p50_ms": value.get("p50_ms"),
                      "p99_ms": value.get("p99_ms"), "ratio_to_bare": round(value["rate_per_s"] / bare_rate, 4),
                      "ratio_to_unobserved": round(value["rate_per_s"] / unobserved_rate, 4),
                      "server_cpu_ms_per_request": _cpu_ms(value)}
               for name, value in pooled.items()}
    print(f"\nGetHIT, {args.concurrency} connections, {args.rounds} alternating rounds, "
          f"{args.duration:.0f} s per target:")
    print(f"{'target':<11} {'req/s':>8} {'/ bare':>7} {'/ unobserved':>13} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'CPU ms/req':>10}")
    for name, row in summary.items():
        print(f"{name:<11} {row['rate_per_s']:>8.1f} {row['ratio_to_bare']:>7.3f} {row['ratio_to_unobserved']:>13.3f} "
              f"{row['p50_ms'] or 0:>7.2f} {row['p99_ms'] or 0:>7.2f} {row['server_cpu_ms_per_request'] or 0:>10.3f}")
    print(f"log lines written by `logged`: {logged_lines}")
    if not args.no_json:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"observer-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
        path.write_text(json.dumps({"argv": argv or sys.argv[1:], "summary": summary, "pooled": pooled,
                                    "logged_lines": logged_lines, "machine": platform.platform()}, indent=2))
        print(f"wrote {path}")
    return 0


def _cpu_ms(pooled: dict) -> float | None:
    cpu, rate = pooled.get("server_cpu"), pooled.get("rate_per_s")
    return round(cpu * 1000 / rate, 4) if cpu and rate else None


if __name__ == "__main__":
    sys.exit(main())
