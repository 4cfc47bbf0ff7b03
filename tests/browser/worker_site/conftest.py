"""Browser fixtures: Debian's chromium driven by Playwright against a live server (SQLite), boto3 beside it.

Screenshots of the main pages go to docs/screenshots/worker-*.png (committed; the README shows them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kempelen.testing import LiveServer

SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site():
    with LiveServer(env={"KEMPELEN_WORKER_SIGNUP": "open"}) as live:
        yield live


@pytest.fixture
def browser_context(chromium, site):
    context = chromium.new_context(base_url=site.endpoint, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def requester(site):
    return site.create_requester("Acme Research Lab")


@pytest.fixture
def mturk(site, requester):
    return site.client(requester)


def shoot(page, name: str, *, phone: bool = False) -> Path:
    """Save a screenshot of the whole page (and one at a phone's width when asked)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"worker-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if phone:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(SCREENSHOTS / f"worker-{name}-phone.png"), full_page=True)
        page.set_viewport_size(size)
    return path


def sign_up(page, password: str = "correct horse battery") -> str:
    """Create a worker account through the sign-up page; the new WorkerId."""
    page.goto("/signup")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/dashboard"))
    return page.locator("strong.mono").inner_text()
