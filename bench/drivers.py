"""Load that finds the ceiling: wrk when installed, else the asyncio generator spread over processes.

Both drive pre-encoded request bytes (bench.signing), cycled, over keep-alive connections with one request
in flight each, and return a loadgen.RunResult. A single asyncio process tops out near the bare app's rate
on this machine, so it could hide the difference between two fast servers; wrk (C, several threads) or
several generator processes do not.

wrk has no warm-up: a short wrk run is made and discarded first. Its latency figures come from its own
histogram: the Lua `done` hook prints 1,000 quantiles (0.1% apart), kept as the run's latency sample and
weighted by the run's request count when rounds are pooled (loadgen.RunResult.weight).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import loadgen

_LUA = r"""
local requests, count, index = {}, 0, 0
init = function(args)
  local f = assert(io.open(args[1], "rb"))
  while true do
    local line = f:read("*l")
    if not line then break end
    count = count + 1
    requests[count] = f:read(tonumber(line))
  end
  f:close()
  index = math.random(count) - 1
end
request = function()
  index = index % count + 1
  return requests[index]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,'
    .. '"write":%d,"status":%d,"timeout":%d},"max_us":%d,"quantiles_us":[', summary.requests,
    summary.duration, e.connect, e.read, e.write, e.status, e.timeout, latency.max))
  for i = 1, 1000 do
    if i > 1 then io.write(",") end
    io.write(string.format("%d", latency:percentile(i / 10)))
  end
  io.write("]}\n")
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def default_generator() -> str:
    return "wrk" if wrk_path() else "processes"


def drive(generator: str, host: str, port: int, requests: list[bytes], *, concurrency: int, warmup: float,
          duration: float, cpu_probe: Callable[[], float | None] | None = None, label: str = "",
          max_requests: int = 10_000_000) -> loadgen.RunResult:
    if generator == "wrk":
        return run_wrk(host, port, requests, concurrency=concurrency, warmup=warmup, duration=duration,
                       cpu_probe=cpu_probe, label=label)
    if generator == "processes":
        return run_processes(host, port, requests, concurrency=concurrency, warmup=warmup, duration=duration,
                             cpu_probe=cpu_probe, label=label, max_requests=max_requests)
    return loadgen.run_load(host, port, requests, concurrency=concurrency, warmup=warmup, duration=duration,
                            cpu_probe=cpu_probe, label=label, max_requests=max_requests)


# --- wrk -------------------------------------------------------------------------------------------------


def _wrk_once(script: Path, data: Path, host: str, port: int, concurrency: int, seconds: float
              ) -> tuple[dict, float, float]:
    """One wrk run: (its WRK_JSON summary, its CPU seconds, its wall seconds)."""
    threads = max(1, min(concurrency, os.cpu_count() or 2))
    argv = [wrk_path(), f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
            "-s", str(script), f"http://{host}:{port}/", "--", str(data)]
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):]), usage.ru_utime + usage.ru_stime, wall
    raise RuntimeError(f"wrk gave no summary (exit {process.returncode}):\n{output[-2000:]}")


def run_wrk(host: str, port: int, requests: list[bytes], *, concurrency: int, warmup: float, duration: float,
            cpu_probe: Callable[[], float | None] | None = None, label: str = "") -> loadgen.RunResult:
    with tempfile.TemporaryDirectory(prefix="kempelen-wrk-") as tmp:
        script, data = Path(tmp) / "requests.lua", Path(tmp) / "requests.bin"
        script.write_text(_LUA)
        with data.open("wb") as out:
            for request in requests:
                out.write(b"%d\n" % len(request) + request)
        if warmup > 0:
            _wrk_once(script, data, host, port, concurrency, max(1.0, warmup))
        server_before = cpu_probe() if cpu_probe else None
        summary, client_cpu, wall = _wrk_once(script, data, host, port, concurrency, duration)
        server_after = cpu_probe() if cpu_probe else None
    window = summary["duration_us"] / 1e6
    errors = summary["errors"]
    failed = errors["status"] + errors["timeout"] + errors["read"] + errors["write"] + errors["connect"]
    server_cpu = (server_after - server_before) / wall if server_before is not None and server_after is not None \
        else None
    return loadgen.RunResult(
        label=label, concurrency=concurrency, requests=summary["requests"], errors=failed, window_s=window,
        latencies_ms=[us / 1000 for us in summary["quantiles_us"]], client_cpu=client_cpu / wall,
        server_cpu=server_cpu, first_error=f"wrk errors: {errors}" if failed else None,
        weight=summary["requests"] / len(summary["quantiles_us"]) if summary["quantiles_us"] else 1.0)


# --- several asyncio generator processes --------------------------------------------------------------


def _child(queue, host, port, requests, concurrency, warmup, duration, max_requests, label) -> None:
    result = loadgen.run_load(host, port, requests, concurrency=concurrency, warmup=warmup, duration=duration,
                              max_requests=max_requests, label=label)
    queue.put(result)


def run_processes(host: str, port: int, requests: list[bytes], *, concurrency: int, warmup: float,
                  duration: float, cpu_probe: Callable[[], float | None] | None = None, label: str = "",
                  max_requests: int = 10_000_000, processes: int | None = None) -> loadgen.RunResult:
    """The asyncio generator in `processes` (default: one per CPU) processes, connections split between them."""
    processes = max(1, min(concurrency, processes or os.cpu_count() or 2))
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    shares = [concurrency // processes + (1 if i < concurrency % processes else 0) for i in range(processes)]
    children = [context.Process(target=_child, args=(queue, host, port, requests, share, warmup, duration,
                                                      max_requests // processes, label)) for share in shares]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for child in children:
        child.start()
    time.sleep(warmup)
    server_before, at = (cpu_probe() if cpu_probe else None), time.monotonic()
    time.sleep(duration)
    server_after, wall = (cpu_probe() if cpu_probe else None), time.monotonic() - at
    results = [queue.get(timeout=warmup + duration + 120) for _ in children]
    for child in children:
        child.join(timeout=30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    window = max(result.window_s for result in results)
    server_cpu = (server_after - server_before) / wall if server_before is not None and server_after is not None \
        else None
    return loadgen.RunResult(
        label=label, concurrency=concurrency, requests=sum(r.requests for r in results),
        errors=sum(r.errors for r in results), window_s=window,
        latencies_ms=[latency for r in results for latency in r.latencies_ms],
        client_cpu=client_seconds / (warmup + duration), server_cpu=server_cpu,
        first_error=next((r.first_error for r in results if r.first_error), None))
