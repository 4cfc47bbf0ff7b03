"""A signed-in worker-site browser session over raw HTTP (for wire-level tests of the site's rules)."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(server, worker_id: str) -> tuple[httpx.Client, str]:
    """An httpx client signed in to the worker site as `worker_id` (by an admin's one-time link), and the
    session's CSRF token."""
    link = server.admin("POST", f"/api/workers/{worker_id}/sign-in-link")["SignInURL"]
    client = httpx.Client(base_url=server.endpoint)
    confirm = client.get(link)
    assert confirm.status_code == 200, confirm.text
    done = client.post(link, data={"csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 303, done.text
    return client, csrf_of(client.get("/dashboard").text)
