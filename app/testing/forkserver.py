"""`kempelen` processes forked from one process that has already imported them.

A test suite starts dozens of `kempelen serve` processes and hundreds of `kempelen` commands. Most of a
server's start is Python importing FastAPI, SQLAlchemy, uvicorn and Kempelen: over a second of CPU, several
times the rest. The fork server, a child of the test process, imports all of that once and then forks a
process for each start. Each fork runs `kempelen.cli.main(argv)`, the code a fresh `kempelen` process runs,
with its own environment, working directory and standard files, and exits with its exit code. Between forks
the fork server does nothing else (no event loop, no database, no thread), so every fork starts from the
same clean state.

Linux only (`os.pidfd_open`, which also keeps a fork's pid from being reused while the test process holds
it); elsewhere, or where a sandbox refuses the call, `LiveServer` starts a fresh process as before.

The protocol is one JSON object a line on the fork server's stdin and stdout:
  {"spawn": {"argv": [...], "env": {...}, "cwd": "...", "stdin": path or null, "stdout": path, "stderr": path}}
      -> {"pid": 1234}
  {"reap": 1234} -> {"returncode": 0}   (waits for that child; negative: the signal that ended it)
EOF on stdin ends the fork server; its children stop only when told, as a Popen child would.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path


def _pidfds_work() -> bool:
    """Linux 5.3 and later, unless a sandbox refuses the call."""
    if not (hasattr(os, "fork") and hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


AVAILABLE = _pidfds_work()

# What `kempelen serve` and the commands import, up to their first request; anything missed here is merely
# imported in each fork. botocore: SQS and SNS delivery, and the commands that sign requests.
PRELOAD = [
    "kempelen.cli.serve", "kempelen.main", "kempelen.clock", "kempelen.serving", "kempelen.observability.logs",
    "kempelen.store.db", "kempelen.store.migrate", "kempelen.requester_client", "uvicorn", "uvicorn.config",
    "uvicorn.server", "uvicorn.main", "uvicorn.lifespan.on", "uvicorn.loops.auto", "uvicorn.loops.uvloop",
    "uvicorn.protocols.http.auto", "uvicorn.protocols.websockets.auto", "uvloop", "anyio._backends._asyncio",
    "sqlalchemy.ext.asyncio", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql",
    "sqlite3", "psycopg", "asyncpg", "alembic.command", "alembic.runtime.migration", "botocore.session",
    "botocore.auth", "encodings.idna",
]


# --- the fork server's side --------------------------------------------------------------------------------

def _preload() -> None:
    import importlib

    from kempelen.cli import GROUPS

    for name in PRELOAD + [f"kempelen.cli.{group}" for group in GROUPS]:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional driver that is not installed
            pass
    import gc

    gc.collect()
    gc.freeze()  # the forks share these pages until they write to them


def _run_child(spawn: dict) -> None:
    """In the forked child: become `kempelen <argv>` and never return."""
    code = 1
    try:
        # 0 and 1 were the fork server's own pipes; sys.stdin and sys.stdout, which it never used, hold
        # nothing of them and now read and write the child's files, as in a process started afresh
        stdin = os.open(spawn.get("stdin") or os.devnull, os.O_RDONLY)
        stdout = os.open(spawn["stdout"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        stderr = stdout if spawn["stderr"] == spawn["stdout"] else \
            os.open(spawn["stderr"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
        for fd in {stdin, stdout, stderr}:
            os.close(fd)
        os.chdir(spawn["cwd"])
        os.environ.clear()
        os.environ.update(spawn["env"])
        sys.argv = ["kempelen", *spawn["argv"]]
        from kempelen.cli import main

        code = main(spawn["argv"])
    except SystemExit as exc:  # as the interpreter ends a process that raised it
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)


def _requests():
    """The fork server's requests, read straight from fd 0 (sys.stdin stays untouched for the forks)."""
    pending = b""
    while chunk := os.read(0, 65536):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from (json.loads(line) for line in lines if line)


def serve_forks() -> None:
    _preload()
    for request in _requests():
        if "spawn" in request:
            pid = os.fork()
            if pid == 0:
                _run_child(request["spawn"])
            reply = {"pid": pid}
        else:
            try:
                _, status = os.waitpid(request["reap"], 0)
                reply = {"returncode": os.waitstatus_to_exitcode(status)}
            except ChildProcessError:  # not a child of this fork server (it was restarted)
                reply = {"returncode": 255}
        os.write(1, json.dumps(reply).encode() + b"\n")  # a reply is far below a pipe's atomic size


# --- the test process's side -------------------------------------------------------------------------------

class ForkServer:
    """The client of one fork server, started on first use; one per test process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._owner = 0  # the pid that started it: a forked test process starts its own

    def _ask(self, request: dict) -> dict:
        with self._lock:
            if self._process is None or self._owner != os.getpid() or self._process.poll() is not None:
                self._start()
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            reply = self._process.stdout.readline()
        if not reply:
            raise RuntimeError("the fork server exited")
        return json.loads(reply)

    def _start(self) -> None:
        # -I: neither it nor its forks import from the test project (cwd, PYTHONPATH, a package named app)
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-c", "from kempelen.testing.forkserver import serve_forks; serve_forks()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._owner = os.getpid()
        atexit.register(self._close, self._process)

    @staticmethod
    def _close(process: subprocess.Popen) -> None:
        process.stdin.close()  # its end of file
        process.wait()

    def spawn(self, argv: list[str], *, env: dict[str, str], stdout: str, stderr: str,
              stdin: str | None = None) -> ForkedProcess:
        """`kempelen <argv>` in a fork, its output appended to the files named, its input read from one."""
        pid = self._ask({"spawn": {"argv": argv, "env": env, "cwd": os.getcwd(), "stdin": stdin, "stdout": stdout,
                                   "stderr": stderr}})["pid"]
        return ForkedProcess(self, pid)

    def run(self, argv: list[str], *, env: dict[str, str], input: str | None = None,
            timeout: float | None = None) -> subprocess.CompletedProcess:
        """Like `subprocess.run(["kempelen", *argv], capture_output=True, text=True, ...)`."""
        with tempfile.TemporaryDirectory(prefix="kempelen-run-") as tmp:
            files = {name: os.path.join(tmp, name) for name in ("stdin", "stdout", "stderr")}
            with open(files["stdin"], "w") as stdin:
                stdin.write(input or "")
            process = self.spawn(argv, env=env, **files)
            try:
                returncode = process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
            output = {name: Path(files[name]).read_text(encoding="utf-8", errors="replace")
                      for name in ("stdout", "stderr")}
        return subprocess.CompletedProcess(["kempelen", *argv], returncode, **output)

    def reap(self, pid: int) -> int:
        return self._ask({"reap": pid})["returncode"]


class ForkedProcess:
    """A forked server, with the part of subprocess.Popen's interface that LiveServer uses. It stays the fork
    server's child until reaped, so its pid cannot be reused while this object signals it."""

    def __init__(self, forks: ForkServer, pid: int):
        self._forks = forks
        self.pid = pid
        self._pidfd = os.pidfd_open(pid)
        self.returncode: int | None = None

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kempelen serve (pid {self.pid})", timeout)
            self.returncode = self._forks.reap(self.pid)
            os.close(self._pidfd)
        return self.returncode

    def poll(self) -> int | None:
        try:
            return self.wait(0)
        except subprocess.TimeoutExpired:
            return None

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


# --- what callers use: a fork where there can be one, else a fresh process ---------------------------------

_forks = ForkServer()


def start(argv: list[str], *, env: dict[str, str], stdout: str, stderr: str
          ) -> ForkedProcess | subprocess.Popen:
    """`kempelen <argv>` in a process of its own, its output appended to the files named (the same one for
    both: interleaved). Forked from this process's fork server where AVAILABLE, else a fresh
    `python -I -m kempelen.cli` (-I: it never imports from the test project either)."""
    if AVAILABLE:
        return _forks.spawn(argv, env=env, stdout=stdout, stderr=stderr)
    with open(stdout, "ab") as out, open(stderr, "ab") as err:
        return subprocess.Popen([sys.executable, "-I", "-m", "kempelen.cli", *argv], stdout=out, stderr=err,
                                env=env)


def run(argv: list[str], *, env: dict[str, str], input: str | None = None,
        timeout: float | None = None) -> subprocess.CompletedProcess:
    """Like `subprocess.run(["kempelen", *argv], capture_output=True, text=True, ...)`, forked where AVAILABLE."""
    if AVAILABLE:
        return _forks.run(argv, env=env, input=input, timeout=timeout)
    return subprocess.run([sys.executable, "-I", "-m", "kempelen.cli", *argv], capture_output=True, text=True,
                          input=input, env=env, timeout=timeout)
