"""The requester website in Debian's Chromium (Playwright, executable_path), against a live server of its own
per database (the tests set the manual clock to fixed moments, so they do not share the suite's server)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from kempelen.testing import LiveServer
from tests.databases import database_url

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
EMAIL, PASSWORD = "ada@lab.example", "analytical engine 1843"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request):
    with database_url(request.param) as url, LiveServer(url) as server:
        server.kind = request.param
        yield server


@pytest.fixture
def context(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def account(live):
    """A requester account with one person who signs in to it (through the admin route the CLI uses)."""
    credentials = live.create_requester("Analytical Lab")
    email = f"{uuid.uuid4().hex[:8]}.{EMAIL}"
    live.admin("POST", f"/_kempelen/requesters/{credentials['AccessKeyId']}/logins",
               {"Email": email, "Password": PASSWORD})
    return {**credentials, "Email": email, "Password": PASSWORD}


class Shots:
    """Screenshots of the main pages: into docs/screenshots when KEMPELEN_SCREENSHOTS=1 (SQLite run only,
    to refresh the committed pictures), else into the test's temporary directory."""

    def __init__(self, page, directory: Path):
        self.page, self.directory = page, directory
        directory.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str, *, phone: bool = True) -> None:
        self.page.wait_for_load_state("load")  # preview frames included
        size = self.page.viewport_size
        self._shoot(f"requester-{name}.png", size["width"], size["height"])
        if phone:
            self._shoot(f"requester-{name}-phone.png", 390, 844)
        self.page.set_viewport_size(size)

    def _shoot(self, file_name: str, width: int, height: int) -> None:
        # The whole page in one viewport: Chromium leaves sandboxed (out-of-process) frames blank in a
        # full_page capture once they are below the fold.
        self.page.set_viewport_size({"width": width, "height": height})
        tall = self.page.evaluate("document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": width, "height": max(height, min(tall, 6000))})
        self.page.wait_for_timeout(150)  # a frame resized with the viewport repaints (real time, not the service's)
        self.page.screenshot(path=str(self.directory / file_name))


@pytest.fixture
def shots(page, live, tmp_path):
    keep = os.environ.get("KEMPELEN_SCREENSHOTS") == "1" and live.kind == "sqlite"
    return Shots(page, SCREENSHOTS if keep else tmp_path / "screenshots")


def sign_in(page, live, account) -> None:
    page.goto(f"{live.endpoint}/requester/manage")
    page.get_by_label("Email address").fill(account["Email"])
    page.get_by_label("Password").fill(account["Password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Manage HITs").wait_for()
