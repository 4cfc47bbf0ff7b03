"""Browser fixtures for HIT pages made for MTurk: Debian's Chromium driven by Playwright, against one live
server (SQLite: what is under test here is the page, not the database), with every request that leaves
the server refused, so a page only works if everything it needs is served by Kempelen."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kempelen.testing import LiveServer

playwright_sync = pytest.importorskip("playwright.sync_api")

# what the worker site sends with HTMLQuestion content, unless the server already sends its own policy
SANDBOX = "sandbox allow-scripts allow-forms allow-popups allow-modals"
# Into docs/ only when asked (KEMPELEN_SCREENSHOTS=1, as the sites' tests), so a test run leaves the checkout clean.
SCREENSHOTS = (Path(__file__).resolve().parents[3] / "docs" / "screenshots"
               if os.environ.get("KEMPELEN_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "kempelen-shots")


@pytest.fixture(scope="session")
def server():
    """Overrides the API tests' two-database server: one SQLite server for the browser tests."""
    with LiveServer() as live:
        yield live


@pytest.fixture
def offline(server):
    """The hosts a page may reach: the server's own. Everything else is recorded and refused."""
    allowed = urlsplit(server.endpoint).netloc
    refused: list[str] = []

    def route(route_, request):
        if urlsplit(request.url).path == "/dynamic/hit":
            # requester HTML runs sandboxed (opaque origin) on the worker site: pages must work that way
            response = route_.fetch()
            headers = {"content-security-policy": SANDBOX, **response.headers}
            route_.fulfill(response=response, headers=headers)
        elif urlsplit(request.url).netloc == allowed or request.url.startswith(("data:", "about:")):
            route_.continue_()
        else:
            refused.append(request.url)
            route_.abort()
    return route, refused


@pytest.fixture
def page(chromium, offline):
    route, refused = offline
    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    context.route("**/*", route)
    page = context.new_page()
    page.refused_requests = refused
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save the page as <name> in SCREENSHOTS (docs/screenshots with KEMPELEN_SCREENSHOTS=1: the committed
    pictures the README and the docs show)."""
    def save(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        page.screenshot(path=str(path), full_page=True)
        return path
    return save
