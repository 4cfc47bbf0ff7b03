"""Benchmark: start, from process start to the first answered request.

`kempelen serve` on an SQLite database whose schema is already current (migrated once beforehand, as every
start after the first finds it), against the bare app, alternating. The clock starts just before the
child process is created and stops when a request is first answered: `GET /_kempelen/health` for
Kempelen (with the admin token, it reads the database), `POST /` with a JSON body for the bare app. The
probe retries every 10 ms, so a figure is at most 10 ms late.

Bytecode is cached, as on every start after an installation's first: pip compiles an installed package's
modules, and an editable checkout's are written at its first start. Both programs start once untimed for
that (and for the file cache), with PYTHONDONTWRITEBYTECODE cleared for them, which this machine kind sets
for every process: without a cache each start compiles Kempelen's 1.2 MB of source again (0.4 s here).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from bench import servers

GOAL_SECONDS = 1.5


@dataclass
class Settings:
    rounds: int = 5
    timeout: float = 60.0


def _answered(port: int, request: bytes) -> bool:
    try:
        with socket.create_connection((servers.HOST, port), timeout=2) as sock:
            sock.sendall(request)
            data = sock.recv(65536)
            return data.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def _time_start(argv: list[str], port: int, request: bytes, env: dict, timeout: float) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                               cwd=servers.REPO)
    try:
        deadline = started + timeout
        while time.perf_counter() < deadline:  # bounded by the timeout
            if _answered(port, request):
                return time.perf_counter() - started
            if process.poll() is not None:
                raise RuntimeError(f"{argv} exited with {process.returncode}")
            time.sleep(0.01)
        raise RuntimeError(f"{argv} did not answer within {timeout} s")
    finally:
        process.terminate()
        process.wait(timeout=15)


def run(settings: Settings, workspace: servers.Workspace, say) -> dict:
    directory = workspace.sub("startup")
    database_url = f"sqlite:///{directory / 'kempelen.db'}"
    servers.migrate(database_url, directory)
    env = {key: value for key, value in servers.server_env().items() if key != "PYTHONDONTWRITEBYTECODE"}
    health = (f"GET /_kempelen/health HTTP/1.1\r\nHost: {servers.HOST}\r\nAuthorization: Bearer "
              f"{servers.DEVELOPMENT_ADMIN_TOKEN}\r\nConnection: close\r\n\r\n").encode()
    bare_body = b'{"HITId":"x"}'
    bare_request = (f"POST / HTTP/1.1\r\nHost: {servers.HOST}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(bare_body)}\r\nConnection: close\r\n\r\n").encode() + bare_body
    times: dict[str, list[float]] = {"bare": [], "kempelen": []}
    loads = []
    for round_number in range(-1, settings.rounds):  # round -1: the untimed start that caches bytecode
        for name in ("bare", "kempelen"):
            port = servers.free_port()
            if name == "bare":
                argv = [sys.executable, "-m", "bench.bare", "--port", str(port), "--log-level", "warning"]
                request = bare_request
            else:
                argv = [sys.executable, "-m", "kempelen.cli", "serve", "--port", str(port), "--database-url",
                        database_url, "--data-dir", str(directory), "--log-level", "warning"]
                request = health
            seconds = _time_start(argv, port, request, env, settings.timeout)
            if round_number >= 0:
                times[name].append(seconds)
        if round_number < 0:
            continue
        loads.append(round(os.getloadavg()[0], 2))
        say(f"  start round {round_number + 1}: bare {times['bare'][-1]:.2f} s, kempelen "
            f"{times['kempelen'][-1]:.2f} s  load {loads[-1]}")
    result = {name: {"median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
                     "max_s": round(max(values), 3), "all_s": [round(v, 3) for v in values]}
              for name, values in times.items()}
    median = result["kempelen"]["median_s"]
    return {"settings": {"rounds": settings.rounds}, "targets": result, "load_average_per_round": loads,
            "goal": {"seconds_at_most": GOAL_SECONDS, "met": median <= GOAL_SECONDS}}


def summary(startup: dict) -> str:
    t, goal = startup["targets"], startup["goal"]
    loads = startup["load_average_per_round"]
    return (f"Start (process start to the first answered request, SQLite, schema current; "
            f"{startup['settings']['rounds']} alternating rounds, load {min(loads):.1f}-{max(loads):.1f}):\n"
            f"  bare     median {t['bare']['median_s']:.2f} s (min {t['bare']['min_s']:.2f}, max "
            f"{t['bare']['max_s']:.2f})\n"
            f"  kempelen median {t['kempelen']['median_s']:.2f} s (min {t['kempelen']['min_s']:.2f}, max "
            f"{t['kempelen']['max_s']:.2f})  (goal <= {goal['seconds_at_most']} s: "
            f"{'met' if goal['met'] else 'MISSED'})")
