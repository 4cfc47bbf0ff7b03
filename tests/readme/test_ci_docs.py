"""docs/ci.md and compose.yaml: every YAML block parses into the shape GitHub Actions and Compose read, and
the shell steps that can run here (start the server and wait on it; make a requester through the admin API)
run as written against a real `kempelen serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from kempelen.testing.server import free_port

ROOT = Path(__file__).resolve().parents[2]
CI_DOC = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent


def yaml_blocks() -> list[dict]:
    return [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```$", CI_DOC.read_text(), re.M | re.S)]


def jobs() -> list[dict]:
    return [block["jobs"]["test"] for block in yaml_blocks() if "jobs" in block]


def step(name: str) -> str:
    return next(s["run"] for job in jobs() for s in job["steps"] if s.get("name") == name)


def test_the_workflows_and_compose_file_parse():
    workflows = jobs()
    assert len(workflows) == 3
    for job in workflows:
        assert job["runs-on"] == "ubuntu-latest" and job["steps"][0]["uses"].startswith("actions/checkout@")
    services = next(block for block in yaml_blocks() if "services" in block and "jobs" not in block)
    assert services["services"]["postgres"]["image"] == "postgres:16"

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    kempelen, postgres = compose["services"]["kempelen"], compose["services"]["postgres"]
    assert kempelen["build"] == "." and kempelen["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert kempelen["environment"]["KEMPELEN_DATABASE_URL"].startswith("postgresql://kempelen:kempelen@postgres:")
    assert "/_kempelen/ready" in (ROOT / "Dockerfile").read_text()


def run_steps(script: str, tmp_path: Path, port: int, **env: str) -> subprocess.CompletedProcess:
    script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KEMPELEN_")}
    environment.update(PATH=f"{BIN}{os.pathsep}{environment['PATH']}", RUNNER_TEMP=str(tmp_path),
                       KEMPELEN_PORT=str(port), **env)
    shell = subprocess.Popen(["bash", "-e", "-c", script], cwd=tmp_path, env=environment, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = shell.communicate(timeout=120)
    finally:
        os.killpg(shell.pid, signal.SIGTERM)  # the server it left in the background, and only that
    return subprocess.CompletedProcess(shell.args, shell.returncode, out, err)


def test_start_wait_and_make_a_requester_as_the_jobs_do(tmp_path):
    port = free_port()
    github_env = tmp_path / "github_env"
    script = step("Start Kempelen") + "\n" + step("A requester for this run") + "\n" + \
        f"python3 -c \"$CHECK\""
    check = ("import os, boto3; k = dict(l.split('=', 1) for l in open(os.environ['GITHUB_ENV']).read().split());"
             f"print(boto3.client('mturk', endpoint_url='http://127.0.0.1:{port}', region_name='us-east-1',"
             " aws_access_key_id=k['AWS_ACCESS_KEY_ID'], aws_secret_access_key=k['AWS_SECRET_ACCESS_KEY'])"
             ".get_account_balance()['AvailableBalance'])")
    done = run_steps(script, tmp_path, port, GITHUB_ENV=str(github_env), KEMPELEN_ADMIN_TOKEN="ci-only-token",
                     CHECK=check)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"status":"ready"' in done.stdout
    assert done.stdout.rstrip().endswith("10000.00")  # the requester the job made, through boto3
    log = (tmp_path / "kempelen.log").read_text()
    assert '"operation":"POST /_kempelen/requesters"' in log  # --log-format json, one line per request
