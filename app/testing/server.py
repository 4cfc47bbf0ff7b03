"""A real Kempelen server in a child process, for tests that talk to it the way users do."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

from kempelen.config import DEVELOPMENT_ADMIN_TOKEN


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`kempelen serve` on a free loopback port; on a temporary SQLite database unless told otherwise."""

    def __init__(self, database_url: str | None = None, *, clock: str = "manual",
                 env: dict[str, str] | None = None, startup_timeout: float = 30.0):
        self._tmp = tempfile.TemporaryDirectory(prefix="kempelen-")
        self.data_dir = Path(self._tmp.name)
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'kempelen.db'}"
        self.clock = clock
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.admin_token = DEVELOPMENT_ADMIN_TOKEN
        self._env = env or {}
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen | None = None
        self.log_path = self.data_dir / "server.log"

    def start(self) -> LiveServer:
        env = {**os.environ, "KEMPELEN_DEVELOPMENT_CREDENTIALS": "on", **self._env}
        env.pop("KEMPELEN_ADMIN_TOKEN", None)
        self._log = open(self.log_path, "wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "kempelen.cli", "serve", "--port", str(self.port), "--clock", self.clock,
             "--database-url", self.database_url, "--data-dir", str(self.data_dir), "--log-level", "warning"],
            stdout=self._log, stderr=subprocess.STDOUT, env=env)
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
            self._log.close()
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

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.admin_token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

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
