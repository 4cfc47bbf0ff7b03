"""Child-process servers for the benchmarks: `kempelen serve` and the bare FastAPI baseline.

Both are started the same way (the venv's python, loopback only, one uvicorn worker with uvicorn's default
loop and HTTP implementation, access log off) so the only difference between them is the application.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

from kempelen.config import DEVELOPMENT_ADMIN_TOKEN

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KEMPELEN_")}
    env["KEMPELEN_DEVELOPMENT_CREDENTIALS"] = "on"
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


class ChildServer:
    """One server process on a free loopback port; `cpu_seconds()` reads its CPU time from /proc."""

    def __init__(self, name: str, argv: list[str], port: int, log_dir: Path, *, health_path: str | None,
                 env: dict[str, str] | None = None, startup_timeout: float = 60.0):
        self.name = name
        self.argv = argv
        self.port = port
        self.endpoint = f"http://{HOST}:{port}"
        self.host_header = f"{HOST}:{port}"
        self.log_path = log_dir / f"{name}.log"
        self._health_path = health_path
        self._env = server_env(env)
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen | None = None
        self._log = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self) -> ChildServer:
        self._log = open(self.log_path, "wb")
        self._process = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT, env=self._env,
                                         cwd=REPO)
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:  # bounded: gives up after startup_timeout
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._process.returncode}:\n{self.log()}")
            if self._ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start within {self._startup_timeout}s:\n{self.log()}")

    def _ready(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1):
                pass
        except OSError:
            return False
        if self._health_path is None:
            return True
        request = urllib.request.Request(self.endpoint + self._health_path,
                                         headers={"Authorization": f"Bearer {DEVELOPMENT_ADMIN_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the process and its child processes (`--workers N`), all threads, or
        None if unreadable."""
        if self._process is None:
            return None
        total, pending, seen = 0.0, [self._process.pid], set()
        while pending:  # bounded: a process tree of a few processes
            pid = pending.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
                for task in Path(f"/proc/{pid}/task").iterdir():
                    pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                if pid == self._process.pid:
                    return None
                continue
            total += _process_cpu_seconds(stat)
        return total

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> ChildServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def kempelen(database_url: str, data_dir: Path, log_dir: Path, env: dict[str, str] | None = None, *,
             workers: int = 1, name: str = "kempelen") -> ChildServer:
    """`kempelen serve` on the system clock, as a user runs it (plus a quieter log level); `workers` > 1
    adds `--workers N`."""
    port = free_port()
    argv = [sys.executable, "-m", "kempelen.cli", "serve", "--host", HOST, "--port", str(port), "--clock", "system",
            "--database-url", database_url, "--data-dir", str(data_dir), "--log-level", "warning"]
    if workers != 1:
        argv += ["--workers", str(workers)]
    return ChildServer(name, argv, port, log_dir, health_path="/_kempelen/health", env=env)


def send_raw(port: int, request: bytes, timeout: float = 30.0) -> tuple[int, bytes]:
    """One raw HTTP/1.1 request on a fresh connection: (status, body)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(head[9:12]), body


POSTGRES_URL = os.environ.get("KEMPELEN_BENCH_POSTGRES_URL",
                              os.environ.get("KEMPELEN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))


@contextlib.contextmanager
def database(kind: str, directory: Path) -> Iterator[str | None]:
    """The URL of a fresh database of `kind` (SQLite in `directory`, or a throwaway PostgreSQL database on
    KEMPELEN_BENCH_POSTGRES_URL's server, dropped afterwards), or None when PostgreSQL is not reachable."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'kempelen.db'}"
        return
    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        yield None
        return
    name = f"kempelen_bench_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _process_cpu_seconds(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime (fields 14 and 15 of stat)


def postgres_is_local() -> bool:
    """Whether KEMPELEN_BENCH_POSTGRES_URL's server runs on this machine (its processes can be sampled)."""
    from urllib.parse import urlsplit

    return (urlsplit(POSTGRES_URL).hostname or "localhost") in ("127.0.0.1", "localhost", "::1")


def postgres_cpu_seconds() -> float | None:
    """User + system CPU time of every PostgreSQL process on this machine (the server on
    KEMPELEN_BENCH_POSTGRES_URL, when it is local), or None when none is visible. Only live processes count:
    a backend that exits between two readings takes its time with it, so a figure can only be low (the
    servers' pooled connections live through a run)."""
    total, found = 0.0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            total += _process_cpu_seconds((entry / "stat").read_text())
        except OSError:  # exited meanwhile
            continue
        found = True
    return total if found else None


def bare(log_dir: Path) -> ChildServer:
    port = free_port()
    argv = [sys.executable, "-m", "bench.bare", "--host", HOST, "--port", str(port), "--log-level", "warning"]
    return ChildServer("bare", argv, port, log_dir, health_path=None)


def migrate(database_url: str, data_dir: Path, timeout: float = 120.0) -> None:
    """`kempelen db upgrade`: the server's own migrations and development requester, before any bulk load."""
    subprocess.run([sys.executable, "-m", "kempelen.cli", "db", "upgrade", "--database-url", database_url,
                    "--data-dir", str(data_dir)], check=True, cwd=REPO, env=server_env(), timeout=timeout,
                   stdout=subprocess.DEVNULL)


class Workspace:
    """A temporary directory for databases and server logs, removed afterwards unless kept."""

    def __init__(self, keep: bool = False):
        self.path = Path(tempfile.mkdtemp(prefix="kempelen-bench-"))
        self.keep = keep

    def sub(self, name: str) -> Path:
        path = self.path / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def cleanup(self) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)
