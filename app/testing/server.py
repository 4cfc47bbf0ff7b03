"""A real Kempelen server in a process of its own, for tests that talk to it the way users do."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from kempelen.config import DEVELOPMENT_ADMIN_TOKEN
from kempelen.testing import forkserver, schema_template


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`kempelen serve` on a free loopback port; on a temporary SQLite database unless told otherwise."""

    def __init__(self, database_url: str | None = None, *, clock: str = "manual",
                 env: dict[str, str] | None = None, startup_timeout: float = 30.0, seed: str | int | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="kempelen-")
        self.data_dir = Path(self._tmp.name)
        self._own_database = None if database_url else self.data_dir / "kempelen.db"
        self.database_url = database_url or f"sqlite:///{self._own_database}"
        self.clock = clock
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.admin_token = DEVELOPMENT_ADMIN_TOKEN
        # seed: reproducible ids (`kempelen serve --seed`), so a rerun against a fresh server makes the same ones
        self._env = {**({"KEMPELEN_SEED": str(seed)} if seed is not None else {}), **(env or {})}
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen | forkserver.ForkedProcess | None = None
        self.log_path = self.data_dir / "server.log"

    def start(self) -> LiveServer:
        # passwords hashed at argon2's cheapest unless the environment says otherwise (a throwaway server; the
        # standard costs 0.2 s of CPU a sign-in)
        env = {"KEMPELEN_PASSWORD_HASHING": "test", **os.environ, "KEMPELEN_DEVELOPMENT_CREDENTIALS": "on",
               **self._env}
        env.pop("KEMPELEN_ADMIN_TOKEN", None)
        if self._own_database and not self._own_database.exists():
            schema_template.copy_to(self._own_database, env)  # else the server migrates it, as it would anyway
        argv = ["serve", "--port", str(self.port), "--clock", self.clock, "--database-url", self.database_url,
                "--data-dir", str(self.data_dir), "--log-level", "warning"]
        # a fork of a process that has imported the server already, where there can be one; never importing
        # from the test project (its cwd, PYTHONPATH, a package named app) either way
        self._process = forkserver.start(argv, env=env, stdout=str(self.log_path), stderr=str(self.log_path))
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"kempelen serve exited with {self._process.returncode}:\n{self.log()}")
            try:
                self.admin("GET", "/_kempelen/health")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)  # waiting for a child process to listen, not for the service clock
        self.stop()
        raise RuntimeError(f"kempelen serve did not start within {self._startup_timeout}s:\n{self.log()}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        self._tmp.cleanup()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def admin(self, method: str, path: str, body: dict | list | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.admin_token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    # --- state controls (between tests) and faults --------------------------------------------------------

    def reset(self, requester: str | None = None, *, everything: bool = False) -> dict:
        """Empty every requester's HITs, HIT types, assignments, qualifications, bonuses and messages (or one
        requester's); keys and workers stay unless everything=True. Returns the rows deleted per table."""
        body = {"everything": everything, **({"requester": requester} if requester else {})}
        return self.admin("POST", "/_kempelen/reset", body)["Deleted"]

    def save_snapshot(self, name: str) -> dict:
        """Save the whole database (and the manual clock's time) as `name`."""
        return self.admin("PUT", f"/_kempelen/snapshots/{name}")

    def restore_snapshot(self, name: str) -> dict:
        """Go back to snapshot `name`: its rows, its clock time, its seeded ids' progress."""
        return self.admin("POST", f"/_kempelen/snapshots/{name}/restore")

    def set_faults(self, *rules: dict) -> list[dict]:
        """Replace the fault rules (see kempelen.faults), e.g. {"kind": "throttle", "operations": ["CreateHIT"],
        "share": 0.5}; none turns faults off."""
        return self.admin("PUT", "/_kempelen/faults", {"Rules": list(rules)})["Rules"]

    def faults(self) -> list[dict]:
        """The rules in force, with the requests each has seen and hit."""
        return self.admin("GET", "/_kempelen/faults")["Rules"]

    @contextlib.contextmanager
    def faulty(self, *rules: dict) -> Iterator[LiveServer]:
        """`with server.faulty({"kind": "throttle", "share": 0.5}):` faults inside the block, none after."""
        self.set_faults(*rules)
        try:
            yield self
        finally:
            self.set_faults()

    def create_requester(self, name: str = "", *, mode: str = "sandbox", balance: str | None = None
                         ) -> dict[str, str]:
        """A new requester: {"AccessKeyId": ..., "SecretAccessKey": ...}. Each test can have its own.
        mode="ledger" with a balance ("100.00") gives an account that is charged as MTurk charged."""
        body = {"name": name, "mode": mode, **({"balance": balance} if balance is not None else {})}
        return self.admin("POST", "/_kempelen/requesters", body)

    def now(self) -> datetime:
        return datetime.fromisoformat(self.admin("GET", "/_kempelen/clock")["now"])

    def advance_clock(self, seconds: float) -> datetime:
        return datetime.fromisoformat(self.admin("POST", "/_kempelen/clock", {"advance_seconds": seconds})["now"])

    def set_clock(self, when: datetime) -> datetime:
        return datetime.fromisoformat(self.admin("POST", "/_kempelen/clock", {"set": when.isoformat()})["now"])

    def client(self, credentials: dict[str, str], **config):
        """A boto3 mturk client bound to this server (needs boto3)."""
        import boto3

        return boto3.client("mturk", endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"], **config)

    def workforce(self):
        """Scripted workers on this server (see kempelen.testing.workforce)."""
        from kempelen.testing.workforce import Workforce

        return Workforce(self.endpoint, self.admin_token)
