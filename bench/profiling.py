"""Optional: sample the Kempelen server with py-spy during the measured windows (`--profile`).

py-spy is not a Kempelen dependency: `.venv/bin/pip install py-spy`. It attaches to the server process by
pid (it needs ptrace permission) and samples, with --gil, only the thread holding the GIL: in a server whose
Python work is serialised by the GIL that is where the time goes (threads parked in the pool, or waiting for
the GIL inside a sqlite3 call, are not counted). The summary lists where the samples fall, self and
inclusive, by function and by file:line. A profiled run costs the 2-core machine CPU, so its rates are
marked as profiled and are not the figures to quote.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class _Recording:
    def __init__(self, process: subprocess.Popen, output: Path, timeout: float):
        self.process = process
        self.output = output
        self.timeout = timeout

    def finish(self) -> None:
        try:
            self.process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=15)


class Profiler:
    def __init__(self, directory: Path, rate: int = 200):
        self.executable = py_spy()
        if self.executable is None:
            raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rate = rate
        self.outputs: dict[str, list[Path]] = {}
        self._pid = 0
        self._name = ""
        self._recording: _Recording | None = None
        self.summaries: dict[str, dict] = {}

    def start(self, pid: int, name: str) -> None:
        """Begins a profile called `name` of process `pid`, sampled only between resume() and pause()."""
        self._pid, self._name, self._recording = pid, name, None
        self.outputs[name] = []

    def resume(self, delay: float, duration: float) -> None:
        """Samples for `duration` seconds, starting `delay` seconds from now (after the warm-up)."""
        output = self.directory / f"{self._name}.{len(self.outputs[self._name]) + 1}.collapsed"
        self.outputs[self._name].append(output)
        command = [self.executable, "record", "--pid", str(self._pid), "--rate", str(self.rate), "--duration",
                   str(max(1, int(round(duration)))), "--format", "raw", "--output", str(output), "--nonblocking",
                   "--gil"]
        # py-spy has no start delay: a small shell-free wrapper sleeps first
        wrapper = [sys.executable, "-c", "import subprocess, sys, time; time.sleep(float(sys.argv[1])); "
                   "sys.exit(subprocess.call(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))",
                   str(delay), *command]
        self._recording = _Recording(subprocess.Popen(wrapper, env={**os.environ}), output,
                                     timeout=delay + duration + 60)

    def pause(self) -> None:
        if self._recording is not None:
            self._recording.finish()
            self._recording = None

    def stop(self) -> None:
        self.pause()

    def summarize_all(self, say) -> None:
        for name, outputs in self.outputs.items():
            merged = self.directory / f"{name}.collapsed"
            with merged.open("w") as out:
                for output in outputs:
                    if output.exists():
                        out.write(output.read_text())
                        output.unlink()
            summary = summarize(merged)
            self.summaries[name] = summary
            (self.directory / f"{name}.summary.json").write_text(json.dumps(summary, indent=1))
            say(f"\nprofile of {name}: {summary['samples']} samples while holding the GIL ({merged})")
            say("  inclusive (share of samples with this function on the stack):")
            for row in summary["inclusive"][:30]:
                say(f"    {row['share'] * 100:5.1f}%  {row['function']}  {row['where']}")
            say("  self (share of samples with this function on top):")
            for row in summary["self"][:15]:
                say(f"    {row['share'] * 100:5.1f}%  {row['function']}  {row['where']}")


def _frame(raw: str) -> tuple[str, str]:
    match = _FRAME.match(raw.strip())
    if not match:
        return raw.strip(), ""
    where = match["file"]
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return match["function"], f"{where}:{match['line']}" if match["line"] else where


def summarize(path: Path, top: int = 60) -> dict:
    """Collapsed stacks -> the functions (by def site, not by line sampled) with the most samples."""
    inclusive: collections.Counter = collections.Counter()
    self_time: collections.Counter = collections.Counter()
    lines: collections.Counter = collections.Counter()
    total = 0
    if not path.exists():
        return {"samples": 0, "inclusive": [], "self": [], "lines": [], "error": "no output"}
    with path.open() as stacks:
        for entry in stacks:
            stack, _, count = entry.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            count = int(count)
            total += count
            frames = [_frame(raw) for raw in stack.split(";")]
            # by function (file without line), so one function counts once per stack however deep it recurses
            functions = {(function, where.rsplit(":", 1)[0]) for function, where in frames}
            for key in functions:
                inclusive[key] += count
            for key in set(frames):  # the exact lines on the stack: which call sites are hot
                lines[key] += count
            function, where = frames[-1]
            self_time[(function, where.rsplit(":", 1)[0])] += count

    def rows(counter):
        return [{"function": function, "where": where, "samples": count, "share": count / total if total else 0}
                for (function, where), count in counter.most_common(top)]

    return {"samples": total, "inclusive": rows(inclusive), "self": rows(self_time), "lines": rows(lines)}
