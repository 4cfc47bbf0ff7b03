"""The `kempelen` command as a user meets it: an example under every --help, --version, client commands
that ask the running server and say which, the account listings, a re-issued worker token, a closed pipe
that ends quietly, and failures in one line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from kempelen import __version__
from kempelen.cli import build_parser, parsers
from tests.commands import kempelen as run_kempelen


def kempelen(server, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_kempelen(*args, env={"KEMPELEN_ENDPOINT": server.endpoint, **(env or {})})


def test_every_command_has_help_with_an_example():
    every = list(parsers(build_parser()))
    names = {parser.prog for parser in every}
    assert {"kempelen worker list", "kempelen requester list", "kempelen worker token"} <= names
    assert len(every) >= 30  # kempelen, 5 groups and their commands
    for parser in every:
        example = re.split(r"\nexamples?:\n", parser.format_help(), maxsplit=1)
        assert len(example) == 2, f"`{parser.prog} --help` shows no example"
        assert re.match(r"  (\S+=\$\()?(export \$\()?kempelen ", example[1]), example[1]
    # ...and as a user asks for it
    shown = subprocess.run([sys.executable, "-m", "kempelen.cli", "worker", "token", "--help"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stdout.endswith(
        "example:\n  kempelen worker token --worker A1TESTWORKER\n")


def test_a_command_gets_the_parsers_the_whole_cli_gives_it():
    """`kempelen <command>` registers only its own group (kempelen.cli.build_parser): every parser under the
    command must read and print exactly as in the whole `kempelen` parser."""
    whole = {parser.prog: parser for parser in parsers(build_parser())}
    commands = [name for name in whole if name.count(" ") == 1]
    assert {"kempelen serve", "kempelen worker", "kempelen reset", "kempelen snapshot"} <= set(commands)
    for command in commands:
        alone = [parser for parser in parsers(build_parser(command.split()[1])) if parser.prog != "kempelen"]
        # its own parsers (and its group's other commands: `reset` brings `snapshot`)
        assert {name for name in whole if name == command or name.startswith(command + " ")} <= {
            parser.prog for parser in alone}
        for parser in alone:
            assert parser.format_help() == whole[parser.prog].format_help(), parser.prog
    # anything else (no command, a mistyped one) gets every group, for the help and the error to list
    assert {parser.prog for parser in parsers(build_parser("wrker"))} == set(whole)


def test_version():
    shown = subprocess.run([sys.executable, "-m", "kempelen.cli", "--version"], capture_output=True, text=True)
    assert (shown.returncode, shown.stdout) == (0, f"kempelen {__version__}\n")


def test_requester_create_asks_the_running_server_and_says_so(server, tmp_path):
    created = kempelen(server, "requester", "create", "--json", "--name", "from-the-cli")
    assert created.returncode == 0, created.stderr
    keys = json.loads(created.stdout)
    assert created.stderr == f"kempelen: created the requester on the server at {server.endpoint}\n"
    balance = server.client(keys).get_account_balance()  # the server knows the key at once
    assert balance["AvailableBalance"] == "10000.00"

    listed = kempelen(server, "requester", "list", "--json")
    mine = [r for r in json.loads(listed.stdout)["Requesters"] if r["AccessKeyId"] == keys["AccessKeyId"]]
    assert mine == [{"AccessKeyId": keys["AccessKeyId"], "Name": "from-the-cli", "Mode": "sandbox",
                     "Active": True, "Development": False, "CreationTime": mine[0]["CreationTime"]}]
    assert "SecretAccessKey" not in listed.stdout and keys["SecretAccessKey"] not in listed.stdout
    table = kempelen(server, "requester", "list").stdout.splitlines()
    assert table[0].split() == ["AccessKeyId", "Mode", "Active", "Created", "(UTC)", "Name"]
    assert any(line.startswith(keys["AccessKeyId"]) and line.endswith("from-the-cli") for line in table)


def test_the_offline_mode_is_labelled(server, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    created = kempelen(server, "requester", "create", "--database-url", url)
    assert created.returncode == 0, created.stderr
    assert created.stderr == (f"kempelen: wrote the requester into the database {url} directly (offline); "
                              f"only a server on that database knows it\n")
    key = created.stdout.splitlines()[0].split("=", 1)[1]
    listed = json.loads(kempelen(server, "requester", "list", "--json").stdout)["Requesters"]
    assert key not in {r["AccessKeyId"] for r in listed}


def test_worker_list_and_a_reissued_token(server):
    made = kempelen(server, "worker", "create").stdout.splitlines()
    worker_id, old_token = made[0], made[1].split("=", 1)[1]
    listed = kempelen(server, "worker", "list")
    assert listed.stdout.splitlines()[0].split() == ["WorkerId", "Created", "(UTC)"]
    assert worker_id in {line.split()[0] for line in listed.stdout.splitlines()[1:]}
    assert worker_id in {w["WorkerId"] for w in json.loads(kempelen(server, "worker", "list", "--json")
                                                           .stdout)["Workers"]}

    reissued = kempelen(server, "worker", "token", "--worker", worker_id)
    assert reissued.returncode == 0, reissued.stderr
    new_token = reissued.stdout.strip().split("=", 1)[1]
    assert reissued.stdout.startswith("KEMPELEN_WORKER_TOKEN=") and new_token != old_token
    assert "the old token no longer works" in reissued.stderr

    def me(token):
        request = urllib.request.Request(f"{server.endpoint}/api/worker",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["WorkerId"]

    assert me(new_token) == worker_id
    with pytest.raises(urllib.error.HTTPError) as refused:
        me(old_token)
    assert refused.value.code == 401

    missing = kempelen(server, "worker", "token", "--worker", "ANOSUCHWORKER")
    assert missing.returncode == 1 and len(missing.stderr.splitlines()) == 1
    assert missing.stderr.startswith("kempelen: WorkerDoesNotExist: ")


def test_workers_page_by_worker_id(server):
    for _ in range(3):
        kempelen(server, "worker", "create")
    first = server.admin("GET", "/api/workers?MaxResults=2")
    assert first["NumResults"] == 2 and first["NextToken"]
    second = server.admin("GET", f"/api/workers?MaxResults=2&NextToken={first['NextToken']}")
    assert second["Workers"][0]["WorkerId"] > first["Workers"][-1]["WorkerId"]
    for bad in ("MaxResults=0", "MaxResults=101", "NextToken=garbage"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            server.admin("GET", f"/api/workers?{bad}")
        assert refused.value.code == 400 and json.loads(refused.value.read())["Error"]["Code"] in (
            "InvalidParameterValue", "InvalidNextToken")


def test_a_closed_pipe_ends_quietly(server):
    for _ in range(3):
        kempelen(server, "worker", "create")
    # The reader is gone before the command writes a byte: the first write fails with EPIPE.
    child = subprocess.Popen([sys.executable, "-m", "kempelen.cli", "worker", "list"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ, "KEMPELEN_ENDPOINT": server.endpoint})
    child.stdout.close()
    _, stderr = child.communicate(timeout=60)
    assert (child.returncode, stderr) == (0, b"")
    # ...and as a user types it
    piped = subprocess.run(f"{sys.executable} -m kempelen.cli worker list | head -1", shell=True,
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, "KEMPELEN_ENDPOINT": server.endpoint})
    assert piped.stdout.split() == ["WorkerId", "Created", "(UTC)"] and piped.stderr == ""


def test_failures_are_one_line(server, tmp_path):
    broken = kempelen(server, "requester", "create", "--database-url", "postgresql://nobody@127.0.0.1:1/none")
    assert broken.returncode == 1
    assert len(broken.stderr.splitlines()) == 1 and "Traceback" not in broken.stderr
    assert broken.stderr.startswith("kempelen: OperationalError: ")

    unreachable = kempelen(server, "worker", "list", env={"KEMPELEN_ENDPOINT": "http://127.0.0.1:1"})
    assert unreachable.returncode == 1 and len(unreachable.stderr.splitlines()) == 1
    assert "is `kempelen serve` running there?" in unreachable.stderr

    debug = kempelen(server, "requester", "create", "--database-url", "postgresql://nobody@127.0.0.1:1/none",
                     env={"KEMPELEN_DEBUG": "1"})
    assert "Traceback" in debug.stderr
