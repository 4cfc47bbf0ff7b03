"""A member's browser without a browser: an httpx client that signs in to the requester website and posts
forms with their CSRF token, for the site's rules that need no page rendering checked (the pages themselves
are driven in Chromium in tests/browser/requester_site)."""

from __future__ import annotations

import html
import re
import uuid

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NOTICE = re.compile(r'<p class="notice" role="status">(.*?)</p>', re.S)
PROBLEM = re.compile(r'<p class="problem" role="alert">(.*?)</p>', re.S)


class Site:
    def __init__(self, endpoint: str):
        self.http = httpx.Client(base_url=endpoint, follow_redirects=True, timeout=30)
        self.token = ""

    def get(self, path: str, **kwargs) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict | None = None, files=None, **kwargs) -> httpx.Response:
        if not self.token:
            self.get("/requester/signin")
        response = self.http.post(path, data={"csrf_token": self.token, **(data or {})}, files=files, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.token = found.group(1)
        return response

    def sign_in(self, email: str, password: str) -> httpx.Response:
        self.get("/requester/signin")
        return self.post("/requester/signin", {"email": email, "password": password})


def notice(response: httpx.Response) -> str | None:
    found = NOTICE.search(response.text)
    return html.unescape(found.group(1).strip()) if found else None


def problem(response: httpx.Response) -> str | None:
    found = PROBLEM.search(response.text)
    return html.unescape(found.group(1).strip()) if found else None


PASSWORD = "difference engine"


def signed_in_member(server, credentials) -> Site:
    """A new member (login) of the requester account `credentials`, signed in."""
    address = f"{uuid.uuid4().hex[:10]}@lab.example"
    server.admin("POST", f"/_kempelen/requesters/{credentials['AccessKeyId']}/logins",
                 {"Email": address, "Password": PASSWORD})
    signed = Site(server.endpoint)
    signed.sign_in(address, PASSWORD)
    return signed
