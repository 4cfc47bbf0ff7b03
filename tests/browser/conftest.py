"""One Chromium for every browser test (Debian's, driven by Playwright's sync API through executable_path).

Playwright's sync API runs one event loop per process: a second `sync_playwright()` while the first is still
open fails ("Sync API inside the asyncio loop"), so the browser packages (crowd, worker_site, requester_site)
share this session fixture instead of each starting their own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KEMPELEN_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium package; .ci/run does)")
    with playwright_api.sync_playwright() as playwright:
        # --no-sandbox: CI containers run as root, where Chromium's own sandbox cannot start.
        # LocalNetworkAccessChecks off: a response a test fulfils itself has no address, so Chromium would
        # count the page as public and refuse its loopback assets.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-features=LocalNetworkAccessChecks"])
        yield browser
        browser.close()
