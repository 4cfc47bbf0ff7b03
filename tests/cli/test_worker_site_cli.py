"""`kempelen worker` for the worker website: a password from stdin, one-time sign-in links, invite codes."""

from __future__ import annotations

import uuid

import httpx

from tests.cli.test_worker_cli import kempelen, ok
from tests.site_helpers import csrf_of


def sign_in(server, worker_id: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=server.endpoint) as client:
        form = client.get("/signin")
        return client.post("/signin", data={"csrf_token": csrf_of(form.text), "worker_id": worker_id,
                                            "password": password})


def test_create_a_worker_with_a_password_from_stdin(server):
    worker_id = "A" + uuid.uuid4().hex[:12].upper()
    out = ok(server, "worker", "create", "--worker-id", worker_id, "--password-stdin",
             stdin="a long passphrase\n")
    assert out.splitlines()[0] == worker_id
    assert sign_in(server, worker_id, "a long passphrase").status_code == 303
    assert sign_in(server, worker_id, "a long passphrase\n").status_code == 401


def test_a_short_password_is_refused_in_one_line_and_makes_no_worker(server):
    worker_id = "A" + uuid.uuid4().hex[:12].upper()
    result = kempelen(server, "worker", "create", "--worker-id", worker_id, "--password-stdin", stdin="short\n")
    assert result.returncode == 1
    assert "The password must be at least 8 characters long." in result.stderr
    assert "Traceback" not in result.stderr
    assert kempelen(server, "worker", "show", "--worker", worker_id).returncode == 1


def test_sign_in_link_and_invite(server):
    worker_id = ok(server, "worker", "create").splitlines()[0]
    link = ok(server, "worker", "sign-in-link", "--worker", worker_id).strip()
    assert link.startswith(f"{server.endpoint}/signin/link/")
    with httpx.Client() as client:
        page = client.get(link)
        assert client.post(link, data={"csrf_token": csrf_of(page.text)}).status_code == 303
    code, url = ok(server, "worker", "invite").splitlines()
    assert url == f"{server.endpoint}/signup?invite={code}"
