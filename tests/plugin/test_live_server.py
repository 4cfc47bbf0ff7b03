"""LiveServer's own start and stop, forked from the fork server or started fresh, as a user's suite sees them."""

from __future__ import annotations

import os
import signal
import subprocess

import httpx
import pytest

from kempelen.testing import LiveServer, forkserver

forked = pytest.mark.skipif(not forkserver.AVAILABLE, reason="no os.pidfd_open here: servers start afresh")


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


@forked
def test_each_server_has_its_own_environment_and_process():
    with LiveServer(env={"KEMPELEN_WORKER_SIGNUP": "closed"}) as closed, LiveServer() as open_:
        assert len({closed._process.pid, open_._process.pid, os.getpid()}) == 3
        assert parent_of(closed._process.pid) == parent_of(open_._process.pid) != os.getpid()  # the fork server
        assert "Sign-up is closed on this server" in httpx.get(f"{closed.endpoint}/signup").text
        assert "Sign-up is closed" not in httpx.get(f"{open_.endpoint}/signup").text
        assert "passwords: hashed at argon2's cheapest (KEMPELEN_PASSWORD_HASHING=test)" in open_.log()
    assert closed._process is None and open_._process is None


@forked
def test_a_server_that_cannot_start_is_reported_with_its_exit_code_and_log(tmp_path):
    (tmp_path / "not-a-database").mkdir()
    with pytest.raises(RuntimeError) as excinfo:
        LiveServer(f"sqlite:///{tmp_path / 'not-a-database'}").start()
    message = str(excinfo.value)
    assert message.startswith("kempelen serve exited with 1:"), message
    assert "not-a-database" in message or "unable to open database" in message


@forked
def test_stop_ends_the_process_and_a_killed_one_is_seen_dead():
    server = LiveServer().start()
    process = server._process
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
    assert process.poll() == -signal.SIGKILL
    server.stop()
    assert not os.path.exists(server.data_dir)

    with LiveServer() as server:
        process = server._process
    assert process.returncode in (0, -signal.SIGTERM)


@forked
def test_a_forked_command_has_its_own_environment_exit_code_and_timeout(tmp_path):
    from kempelen.testing.server import free_port

    env = dict(os.environ)
    assert forkserver.run(["--version"], env=env).stdout.startswith("kempelen ")
    misused = forkserver.run(["worker", "no-such-command"], env=env)
    assert (misused.returncode, misused.stdout) == (2, "") and "invalid choice" in misused.stderr
    unreachable = forkserver.run(["worker", "list"], env={**env, "KEMPELEN_ENDPOINT": "http://127.0.0.1:9"})
    assert unreachable.returncode == 1 and "cannot reach http://127.0.0.1:9" in unreachable.stderr
    url = f"sqlite:///{tmp_path / 'k.db'}"
    with pytest.raises(subprocess.TimeoutExpired):
        forkserver.run(["serve", "--port", str(free_port()), "--database-url", url], env=env, timeout=3)


def test_where_forks_are_not_available_each_server_is_a_fresh_process(monkeypatch):
    monkeypatch.setattr(forkserver, "AVAILABLE", False)
    with LiveServer(env={"KEMPELEN_WORKER_SIGNUP": "closed"}) as server:
        assert parent_of(server._process.pid) == os.getpid()
        assert "Sign-up is closed on this server" in httpx.get(f"{server.endpoint}/signup").text
        process = server._process
    assert process.returncode in (0, -signal.SIGTERM)
