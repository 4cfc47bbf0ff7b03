"""One Chromium for every browser test (Playwright's sync API allows one running instance per thread)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KEMPELEN_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium():
    playwright_sync = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium package; .ci/run does)")
    with playwright_sync.sync_playwright() as playwright:
        # --no-sandbox: CI containers run as root, where Chromium's own sandbox cannot start.
        # LocalNetworkAccessChecks off: a response a test fulfils itself (the sandboxed /dynamic/hit of the
        # crowd tests) has no address, so Chromium would count the page as public and refuse its loopback assets.
        # The WebUI omnibox popups off: headless Chromium keeps one prewarmed in its own renderer, which redraws
        # without pause while any page is open (a quarter of a core per open page, most of the suite's Chromium
        # CPU); the address bar's popup is no part of a page under test.
        features = ["LocalNetworkAccessChecks", "WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "WebUIOmniboxFullPopup"]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", f"--disable-features={','.join(features)}"])
        yield browser
        browser.close()
