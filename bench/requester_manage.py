"""The requester website's Manage page (the HIT list, 50 a page) of a requester with 1,000,000 HITs: server
time per page against the bare endpoint, in the same run.

    .venv/bin/python -m bench.requester_manage                 # 1,000,000 HITs, about 2 minutes
    .venv/bin/python -m bench.requester_manage --hits 100000 --duration 4

The database is built as bench/listing.py builds it (`kempelen db upgrade`, then the HITs bulk-inserted for the
development requester with the real table's INSERT); a login is added to the development requester through
kempelen.operations.requester_accounts, `kempelen serve` starts on it, signs in once over HTTP, and the pages
are requested one at a time (latency, not throughput) with the session cookie:
- `first`: /requester/manage, the newest 50 HITs;
- `middle`, `deep`: pages whose keyset cursor (`before=<seq>`) sits in the middle / in the oldest 10%;
- `hit_type`: the first page filtered by the HIT type (every HIT has it: the filter's worst case);
- `status`: the first page filtered to Assignable (each row's status decided in SQL);
- `ListHITs`: the Requester API's ListHITs (MaxResults 50, signed), the same HITs without a page around them;
- `bare`: bench.bare's `POST /`, the floor of a request on this machine.
Cases are interleaved over rounds so the machine's drift falls on every case alike. "Server CPU per request"
is the server process's CPU time over the window divided by the requests answered (it includes the HTTP
stack, the session lookup, the queries and the page's rendering).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sqlite3
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from bench import listing, loadgen, servers, signing

EMAIL, PASSWORD = "bench@lab.example", "benchmark password"
PAGE = 50


def _add_login(database_url: str) -> None:
    from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID
    from kempelen.operations import requester_accounts
    from kempelen.store.db import Database

    db = Database(database_url)
    try:
        with db.transaction() as session:
            requester_accounts.add_member(session, datetime.now(timezone.utc), DEVELOPMENT_ACCESS_KEY_ID,
                                          EMAIL, PASSWORD)
    finally:
        db.dispose()


def _sign_in(endpoint: str) -> str:
    """The session cookie's value after signing in through the form, as a browser does."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(endpoint + "/requester/signin").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(endpoint + "/requester/signin", data=body))
    found = [cookie.value for cookie in jar if cookie.name == "kempelen_session"]
    if not found:
        raise RuntimeError("signing in gave no session cookie")
    return found[0]


def _get(path: str, host: str, cookie: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nCookie: kempelen_session={cookie}\r\n"
            "Accept: text/html\r\n\r\n").encode()


def _hit_type_id(database_path: Path) -> str:
    connection = sqlite3.connect(database_path)
    try:
        return connection.execute("SELECT hit_type_id FROM hit_type LIMIT 1").fetchone()[0]
    finally:
        connection.close()


def _check(endpoint: str, cookie: str, path: str) -> int:
    request = urllib.request.Request(endpoint + path, headers={"Cookie": f"kempelen_session={cookie}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    rows = page.count('<td class="hit-cell">')
    if response.status != 200 or rows != PAGE:
        raise RuntimeError(f"{path}: status {response.status}, {rows} HITs on the page")
    return rows


def run(hits: int, duration: float, rounds: int, keep: bool, say) -> dict:
    workspace = servers.Workspace(keep=keep)
    try:
        directory = workspace.sub(f"manage-{hits}")
        database_path = directory / "kempelen.db"
        database_url = f"sqlite:///{database_path}"
        say(f"{hits:,} HITs: migrating, bulk-inserting (bench/listing.py's loader), adding a login")
        servers.migrate(database_url, directory)
        loaded = listing.bulk_load(database_path, hits, say)
        _add_login(database_url)
        say(f"  {loaded['hits']:,} HITs in {loaded['insert_s']} s, database {loaded['database_bytes'] / 1e6:.0f} MB")
        first, last = loaded["first_seq"], loaded["last_seq"]
        span = last - first + 1
        hit_type = _hit_type_id(database_path)
        with servers.kempelen(database_url, directory, directory) as server, servers.bare(directory) as bare:
            cookie = _sign_in(server.endpoint)
            host = server.host_header
            pages = {
                "first": ["/requester/manage"],
                "middle": [f"/requester/manage?before={first + span // 2 + i * 997}" for i in range(20)],
                "deep": [f"/requester/manage?before={first + span // 20 + i * 997}" for i in range(20)],
                "hit_type": [f"/requester/manage?hit_type={hit_type}"],
                "status": ["/requester/manage?status=Assignable"],
            }
            for paths in pages.values():
                _check(server.endpoint, cookie, paths[0])
            requests = {case: (server, [_get(p, host, cookie) for p in paths]) for case, paths in pages.items()}
            calls = signing.pool(server.endpoint, "ListHITs", [{"MaxResults": PAGE}], 8)
            requests["ListHITs"] = (server, [call.raw(host) for call in calls])
            bare_calls = signing.pool(bare.endpoint, "GetHIT", [{"HITId": "3" + "A" * 29}], 8)
            requests["bare"] = (bare, [call.raw(bare.host_header) for call in bare_calls])
            samples: dict[str, list[float]] = {case: [] for case in requests}
            cpu: dict[str, list[float]] = {case: [] for case in requests}
            share = duration / rounds
            for number in range(rounds):
                for case, (target, raw) in requests.items():
                    result = loadgen.run_load(servers.HOST, target.port, raw, concurrency=1,
                                              warmup=0.5 if number == 0 else 0.2, duration=share,
                                              max_requests=2000, cpu_probe=target.cpu_seconds, label=case)
                    if result.errors:
                        raise RuntimeError(f"{case}: {result.errors} errors, first: {result.first_error}")
                    samples[case].extend(result.latencies_ms)
                    if result.server_cpu is not None and result.requests:
                        cpu[case].append(result.server_cpu * result.window_s / result.requests * 1000)
                say(f"  round {number + 1}: " + ", ".join(
                    f"{case} {loadgen.RunResult(case, 1, 0, 0, 0, samples[case], None, None).p50:.2f}"
                    for case in requests) + " ms (p50 so far)")
    finally:
        workspace.cleanup()
    floor = _median(samples["bare"])
    cases = {}
    for case, latencies in samples.items():
        ordered = sorted(latencies)
        p50 = _median(ordered)
        cases[case] = {"requests": len(ordered), "p50_ms": round(p50, 3),
                       "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 3),
                       "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
                       "server_cpu_ms_per_request": round(_median(cpu[case]), 3) if cpu[case] else None,
                       "p50_vs_bare": round(p50 / floor, 2)}
    return {"hits": hits, "page_size": PAGE, "load": loaded, "rounds": rounds, "duration_s": duration,
            "cases": cases}


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.requester_manage", description=__doc__.split("\n")[0])
    parser.add_argument("--hits", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=12.0, help="seconds per case, split into rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {text}", flush=True)

    result = run(args.hits, args.duration, args.rounds, args.keep, say)
    print(f"\nManage page ({PAGE} HITs a page) of a requester with {args.hits:,} HITs; one request at a time")
    print(f"{'case':<10} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'server CPU ms/req':>18} {'p50 / bare':>10}")
    for case, row in result["cases"].items():
        print(f"{case:<10} {row['p50_ms']:>8.2f} {row['p90_ms']:>8.2f} {row['p99_ms']:>8.2f} "
              f"{row['server_cpu_ms_per_request'] or float('nan'):>18.2f} {row['p50_vs_bare']:>10.2f}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    path = out / f"requester-manage-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
