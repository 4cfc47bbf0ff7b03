"""`kempelen serve` as an operator runs it: one log line per request (plain or JSON), the banner with the
address actually bound, a clear refusal when the port is taken, and the health and readiness routes."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from kempelen.config import DEVELOPMENT_ACCESS_KEY_ID, DEVELOPMENT_SECRET_ACCESS_KEY
from kempelen.testing import forkserver
from tests.commands import kempelen


class Served:
    """`kempelen serve` in a process of its own with the given options (kempelen.testing.forkserver.start); its
    stdout (banner) and stderr (logs)."""

    def __init__(self, tmp_path: Path, *options: str, env: dict | None = None):
        self.out, self.err = tmp_path / "stdout.log", tmp_path / "stderr.log"
        argv = ["serve", "--data-dir", str(tmp_path / "data"), "--clock", "manual", *options]
        env = {**os.environ, "KEMPELEN_DEVELOPMENT_CREDENTIALS": "on", **(env or {})}
        self.out.write_bytes(b""), self.err.write_bytes(b"")
        self.process = forkserver.start(argv, env=env, stdout=str(self.out), stderr=str(self.err))
        self.endpoint = self._wait_for_banner()

    def _wait_for_banner(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in self.out.read_text().splitlines():
                if "from this machine at " in line:
                    return line.rsplit("from this machine at ", 1)[1].strip()
                if line.startswith("Kempelen is serving") and " at http" in line:
                    return line.rsplit(" at ", 1)[1].strip()
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.err.read_text()}")
            time.sleep(0.05)  # a child process starting, not the service clock
        raise AssertionError("no banner")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/_kempelen/health", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        raise AssertionError("not listening")

    def log_lines(self) -> list[str]:
        time.sleep(0.2)  # the last request's line is written after its response is sent
        return self.err.read_text().splitlines()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def serve(tmp_path):
    started = []

    def start(*options: str, **kwargs) -> Served:
        served = Served(tmp_path, *options, **kwargs)
        started.append(served)
        served.wait_ready()
        return served

    yield start
    for served in started:
        served.stop()


def mturk(endpoint: str):
    return boto3.client("mturk", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=DEVELOPMENT_ACCESS_KEY_ID,
                        aws_secret_access_key=DEVELOPMENT_SECRET_ACCESS_KEY)


def traffic(endpoint: str) -> None:
    client = mturk(endpoint)
    client.get_account_balance()
    with pytest.raises(ClientError):
        client.get_hit(HITId="3NOSUCHHIT" + "0" * 20)


def test_one_json_line_per_request(serve):
    served = serve("--port", "0", "--log-format", "json")
    traffic(served.endpoint)
    entries = [json.loads(line) for line in served.log_lines()]  # every line is JSON, uvicorn's too
    requests = [e for e in entries if e.get("event") == "request"]
    by_operation = {e["operation"]: e for e in requests}
    balance, missing = by_operation["GetAccountBalance"], by_operation["GetHIT"]
    assert (balance["access_key_id"], balance["status"], balance["error_code"]) == \
        (DEVELOPMENT_ACCESS_KEY_ID, 200, "-")
    assert (missing["status"], missing["error_code"]) == (400, "AWS.MechanicalTurk.HITDoesNotExist")
    assert all(isinstance(e["duration_ms"], float) and e["duration_ms"] >= 0 for e in requests)
    assert by_operation["GET /_kempelen/health"]["access_key_id"] == "-"


def test_plain_lines_and_quiet_above_info(serve, tmp_path):
    served = serve("--port", "0")
    traffic(served.endpoint)
    lines = [line for line in served.log_lines() if "kempelen.requests" in line]
    assert any(f"op=GetAccountBalance key={DEVELOPMENT_ACCESS_KEY_ID} status=200 error=- ms=" in line
               for line in lines), lines
    assert any("op=GetHIT" in line and "status=400 error=AWS.MechanicalTurk.HITDoesNotExist" in line
               for line in lines), lines
    served.stop()

    (tmp_path / "stderr.log").unlink()
    quiet = serve("--port", "0", "--log-level", "warning")
    traffic(quiet.endpoint)
    assert not [line for line in quiet.log_lines() if "kempelen.requests" in line]


def test_the_banner_shows_the_port_bound(serve):
    served = serve("--port", "0")
    banner = served.out.read_text().splitlines()[0]
    port = int(served.endpoint.rsplit(":", 1)[1])
    assert port != 0 and banner == f"Kempelen is serving the MTurk Requester API at http://127.0.0.1:{port}"
    assert mturk(served.endpoint).get_account_balance()["AvailableBalance"] == "10000.00"


def test_on_every_interface_the_banner_says_so(serve):
    served = serve("--port", "0", "--host", "0.0.0.0", env={"KEMPELEN_DEVELOPMENT_CREDENTIALS": "off",
                                                           "KEMPELEN_ADMIN_TOKEN": "t"})
    banner = served.out.read_text().splitlines()[0]
    port = served.endpoint.rsplit(":", 1)[1]
    assert banner == (f"Kempelen is serving the MTurk Requester API on 0.0.0.0:{port} (every interface), "
                      f"from this machine at http://127.0.0.1:{port}")


def test_a_taken_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = kempelen("serve", "--port", str(port), "--data-dir", str(tmp_path), timeout=60)
    assert result.returncode == 1
    assert result.stderr == (f"kempelen: cannot listen on 127.0.0.1:{port}: the port is taken (another "
                             f"server?); choose another with --port\n")
    assert result.stdout == ""


def test_health_and_readiness(server):
    def get(path):
        with urllib.request.urlopen(server.endpoint + path, timeout=30) as response:
            return response.status, json.loads(response.read())

    assert get("/_kempelen/health") == (200, {"status": "ok"})
    status, body = get("/_kempelen/ready")
    assert status == 200 and body["status"] == "ready" and body["schema"]


def test_not_ready_while_the_schema_is_behind(tmp_path):
    """A server on a database its migrations have not reached yet (another replica still migrating)."""
    from fastapi.testclient import TestClient

    from kempelen.config import Settings
    from kempelen.main import create_app
    from kempelen.store.db import Database
    from kempelen.store.migrate import upgrade

    db = Database(f"sqlite:///{tmp_path / 'behind.db'}")
    try:
        upgrade(db, "0001")
        with TestClient(create_app(Settings(database_url=db.url, data_dir=tmp_path), db=db)) as client:
            answer = client.get("/_kempelen/ready")
            assert answer.status_code == 503
            assert answer.json()["status"] == "unavailable" and "schema at 0001" in answer.json()["reason"]
            upgrade(db)
            assert client.get("/_kempelen/ready").json()["status"] == "ready"
    finally:
        db.dispose()


def test_a_stopped_server_leaves_the_database_whole_in_its_one_file(serve, tmp_path):
    """SIGTERM: the write-ahead log is copied back and removed, so copying kempelen.db alone (a backup as
    people make them) keeps every HIT created."""
    served = serve()
    client = mturk(served.endpoint)
    made = {client.create_hit(Title="Label the picture", Description="Say what is in it.", Reward="0.05",
                              AssignmentDurationInSeconds=600, LifetimeInSeconds=3600,
                              Question=_EXTERNAL)["HIT"]["HITId"] for _ in range(20)}
    served.stop()
    data = tmp_path / "data"
    assert sorted(path.name for path in data.iterdir()) == ["kempelen.db"]
    copy = tmp_path / "copy.db"
    copy.write_bytes((data / "kempelen.db").read_bytes())
    with sqlite3.connect(copy) as connection:
        assert {hit_id for (hit_id,) in connection.execute("SELECT hit_id FROM hit")} == made


_EXTERNAL = ('<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
             '2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL>'
             '<FrameHeight>600</FrameHeight></ExternalQuestion>')
