"""The README's shell and Python examples, run as a user pastes them into one shell against a running
server (only the address is changed to the test server's). Every shell block is either run here or listed
with the reason it cannot be, so a new example is never silently untested."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kempelen.testing import LiveServer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent  # kempelen and aws, as `make test` installs them
README_ENDPOINT = "http://127.0.0.1:8000"

# Sections whose ```sh and ```python blocks run here, in the README's order, in one shell.
RUN = ("Point your code at it", "The worker API", "From the command line", "Reset and snapshots",
       "Faults on demand", "Projects, batches and HIT layouts", "Money")
# Sections whose shell blocks cannot run inside the suite, and why.
NOT_RUN = {
    "Two commands": "builds a virtual environment and runs the suite itself",
    "Time that moves when you say so": "starts a second server on a fixed port (tests/cli covers the clock)",
    "Docker": "needs a Docker daemon",
    "The worker website": "acts on the reader's own worker ($WORKER_ID); tests/browser/worker_site runs each route",
    "The requester website": "asks for the reader's password; tests/cli and tests/browser/requester_site run it",
    "A simulated workforce": "starts a second server on a fixed port (tests/workforce covers the crowd)",
}
# What the worker examples did, read before "Reset and snapshots" empties the server.
CHECK_ANSWERS = ("echo \"ANSWERS=$(aws mturk list-assignments-for-hit --endpoint-url {endpoint} --hit-id $HIT_ID "
                 "--query 'Assignments[].Answer' --output json | tr -d '\\n')\"")


def sections() -> list[tuple[str, str, str]]:
    """(heading, language, code) for every fenced block, under its nearest heading."""
    found, heading, block, language = [], "", None, ""
    for line in README.read_text().splitlines(keepends=True):
        if block is not None:
            if line.rstrip() == "```":
                found.append((heading, language, "".join(block)))
                block = None
            else:
                block.append(line)
        elif line.startswith("```"):
            block, language = [], line[3:].strip()
        elif re.match(r"#{2,3} ", line):
            heading = line.lstrip("#").strip()
    return found


def test_every_shell_block_is_run_or_excused():
    headings = {heading for heading, language, _ in sections() if language == "sh"}
    assert headings, "no shell blocks found: the README's layout changed"
    assert headings - set(RUN) - set(NOT_RUN) == set()
    assert set(RUN) <= headings | {h for h, lang, _ in sections() if lang == "python"}


@pytest.fixture(scope="module")
def server():
    """As `make run` serves: the system clock, the development credentials."""
    with LiveServer(clock="system") as live:
        yield live


def script() -> str:
    lines = ["set -euo pipefail"]
    for heading, language, code in sections():
        if heading not in RUN:
            continue
        if language == "sh":
            lines.append(code)
            if heading == "From the command line":
                lines.append(CHECK_ANSWERS)
        elif language == "python":
            lines.append(f"python3 - <<'PYTHON_EXAMPLE'\n{code}PYTHON_EXAMPLE")
    return "\n".join(lines).replace(README_ENDPOINT, "{endpoint}")


@pytest.mark.long
def test_the_readme_examples_run_as_written(server, tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "KEMPELEN_"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", HOME=str(tmp_path), KEMPELEN_ENDPOINT=server.endpoint)
    done = subprocess.run(["bash", "-c", script().replace("{endpoint}", server.endpoint)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "Traceback" not in done.stderr
    assert done.stdout.count("10000.00") >= 2  # the boto3 example and the one-liner through the environment
    answers = json.loads(re.search(r"^ANSWERS=(.*)$", done.stdout, re.M).group(1))
    # one worker through curl, one through `kempelen worker`, both answered "cat"
    assert len(answers) == 2 and all("<FreeText>cat</FreeText>" in answer for answer in answers)
    assert (tmp_path / "question.xml").exists()
    assert "AvailableBalance: 125.00" in done.stdout  # the ledger example: 100.00, then 25.00 more
    header = next(csv.reader(open(tmp_path / "Batch_results.csv", encoding="utf-8-sig")))
    assert header[0] == "HITId" and "Input.word" in header  # the batch example's results file (no answers yet)
    assert "seeded" in done.stdout  # snapshot list
