"""The worker site's sign-in machinery over raw HTTP: cookies, CSRF, throttled failures, invite codes,
one-time links, and the security headers every page carries (both databases)."""

from __future__ import annotations

import html

import httpx
import pytest

from kempelen.testing import LiveServer
from tests.site_helpers import csrf_of, signed_in

PASSWORD = "a good long password"


def new_worker(server, password: str | None = PASSWORD) -> str:
    worker_id = server.admin("POST", "/api/workers", {})["WorkerId"]
    if password:
        server.admin("POST", f"/api/workers/{worker_id}/password", {"Password": password})
    return worker_id


def sign_in(client: httpx.Client, worker_id: str, password: str) -> httpx.Response:
    form = client.get("/signin")
    return client.post("/signin", data={"csrf_token": csrf_of(form.text), "worker_id": worker_id,
                                        "password": password, "next": "/tasks"})


def test_pages_carry_the_security_headers(server):
    page = httpx.get(f"{server.endpoint}/signin")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert httpx.get(f"{server.endpoint}/static/site.css").headers["x-content-type-options"] == "nosniff"


def test_a_page_address_edited_by_hand_is_refused_with_a_page(server, workforce):
    """A value a page cannot use in its address (?welcome=yes where a number belongs) gets a page saying
    so, with a 400 and the pages' headers; the worker API keeps its JSON envelope for the same mistake."""
    client, _csrf = signed_in(server, workforce.new().worker_id)
    page = client.get("/dashboard", params={"welcome": "yes"})
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "This address was not understood" in page.text and "<code>query.welcome</code>" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert client.get("/dashboard", params={"welcome": "1"}).status_code == 200
    api = httpx.get(f"{server.endpoint}/api/worker/hits", params={"MaxResults": "many"})
    assert api.status_code == 400 and api.json()["Error"]["Code"] == "ValidationException"


def test_sign_in_sets_an_http_only_same_site_session_cookie_and_lands_on_next(server):
    worker_id = new_worker(server)
    with httpx.Client(base_url=server.endpoint) as client:
        done = sign_in(client, worker_id, PASSWORD)
        assert (done.status_code, done.headers["location"]) == (303, "/tasks")
        cookie = next(v for k, v in done.headers.multi_items()
                      if k == "set-cookie" and v.startswith("kempelen_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert client.get("/dashboard").status_code == 200
        client.post("/signout", data={"csrf_token": csrf_of(client.get("/dashboard").text)})
        assert client.get("/dashboard").status_code == 303  # the session row is gone, not just the cookie


def test_forms_without_the_token_or_from_another_origin_are_refused(server):
    worker_id = new_worker(server)
    with httpx.Client(base_url=server.endpoint) as client:
        token = csrf_of(client.get("/signin").text)
        fields = {"worker_id": worker_id, "password": PASSWORD}
        assert client.post("/signin", data=fields).status_code == 403
        assert client.post("/signin", data={**fields, "csrf_token": "x" * 43}).status_code == 403
        foreign = client.post("/signin", data={**fields, "csrf_token": token},
                              headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403 and "This form was refused" in foreign.text
        assert client.post("/signin", data={**fields, "csrf_token": token}).status_code == 303


def test_repeated_failed_sign_ins_are_slowed_down(server, clock):
    worker_id = new_worker(server)
    with httpx.Client(base_url=server.endpoint) as client:
        for _ in range(5):
            assert sign_in(client, worker_id, "wrong password").status_code == 401
        sign_in(client, worker_id, "wrong password")  # the sixth failure locks the account out for 30 s
        locked = sign_in(client, worker_id, PASSWORD)
        assert locked.status_code == 429 and "Too many failed sign-ins. Try again in" in locked.text
        clock.advance(31)
        assert sign_in(client, worker_id, PASSWORD).status_code == 303
    clock.advance(2 * 3600)  # forget this client's failures: other tests sign in from the same address


def test_a_sign_in_link_works_once_and_a_get_does_not_spend_it(server):
    worker_id = new_worker(server, password=None)  # made through the API, no password
    link = server.admin("POST", f"/api/workers/{worker_id}/sign-in-link")["SignInURL"]
    with httpx.Client(base_url=server.endpoint) as client:
        assert client.get(link).status_code == 200 and client.get(link).status_code == 200
        token = csrf_of(client.get(link).text)
        assert client.post(link, data={"csrf_token": token}).status_code == 303
        assert worker_id in client.get("/dashboard").text
    with httpx.Client(base_url=server.endpoint) as other:
        again = other.post(link, data={"csrf_token": csrf_of(other.get(link).text)})
        assert again.status_code == 400 and "has expired or has already been used" in again.text


def test_a_new_password_signs_the_worker_out_everywhere(server):
    worker_id = new_worker(server)
    browser, _ = signed_in(server, worker_id)
    assert browser.get("/dashboard").status_code == 200
    server.admin("POST", f"/api/workers/{worker_id}/password", {"Password": "another long password"})
    assert browser.get("/dashboard").status_code == 303
    with httpx.Client(base_url=server.endpoint) as client:
        assert sign_in(client, worker_id, "another long password").status_code == 303


def test_admin_routes_need_the_admin_token(server):
    refused = httpx.post(f"{server.endpoint}/api/worker-invites")
    assert refused.status_code == 401 and refused.json()["Error"]["Code"] == "NotAuthorized"
    missing = httpx.post(f"{server.endpoint}/api/workers/ANOSUCHWORKER/sign-in-link",
                         headers={"Authorization": f"Bearer {server.admin_token}"})
    assert (missing.status_code, missing.json()["Error"]["Code"]) == (404, "WorkerDoesNotExist")


@pytest.fixture(scope="module")
def invite_only():
    with LiveServer(env={"KEMPELEN_WORKER_SIGNUP": "invite"}) as live:
        yield live


def test_invite_only_sign_up_takes_each_code_once(invite_only):
    def attempt(client: httpx.Client, code: str) -> httpx.Response:
        form = client.get("/signup")
        return client.post("/signup", data={"csrf_token": csrf_of(form.text), "invite": code, "worker_id": "",
                                            "password": PASSWORD, "confirm": PASSWORD})

    invite = invite_only.admin("POST", "/api/worker-invites")
    assert invite["SignUpURL"].endswith(f"/signup?invite={invite['InviteCode']}")
    with httpx.Client(base_url=invite_only.endpoint) as client:
        refused = attempt(client, "not-a-code")
        assert refused.status_code == 400 and "The invite code is not valid" in refused.text
        assert attempt(client, invite["InviteCode"]).status_code == 303
    with httpx.Client(base_url=invite_only.endpoint) as client:
        assert attempt(client, invite["InviteCode"]).status_code == 400


def test_a_sign_up_form_shows_every_problem_at_once(invite_only):
    with httpx.Client(base_url=invite_only.endpoint) as client:
        form = client.get("/signup")
        refused = client.post("/signup", data={"csrf_token": csrf_of(form.text), "invite": "not-a-code",
                                               "worker_id": "NOT AN ID", "password": "short", "confirm": "other"})
    assert refused.status_code == 400
    assert "The two passwords are not the same." in refused.text
    assert "at least 8 characters" in refused.text
    assert "The WorkerId 'NOT AN ID' is not valid" in html.unescape(refused.text)


def test_closed_sign_up_makes_no_account():
    with LiveServer(env={"KEMPELEN_WORKER_SIGNUP": "closed"}) as closed, \
            httpx.Client(base_url=closed.endpoint) as client:
        form = client.get("/signup")
        assert "Sign-up is closed on this server" in form.text
        refused = client.post("/signup", data={"csrf_token": csrf_of(client.get("/signin").text),
                                               "password": PASSWORD, "confirm": PASSWORD})
        assert refused.status_code == 403 and "Sign-up is closed" in refused.text
