"""/_kempelen/docs in a real browser with no network but the server: Swagger UI's files come from Kempelen
itself, so the page renders the API offline."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

playwright = pytest.importorskip("playwright.sync_api")

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def test_the_docs_render_with_nothing_but_the_server(server, chromium):
    if "sqlite" not in server.database_url:
        pytest.skip("one database is enough for a page")
    served = urlsplit(server.endpoint).netloc
    elsewhere: list[str] = []

    def only_the_server(route):
        if urlsplit(route.request.url).netloc == served:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context = chromium.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", only_the_server)
        page.goto(f"{server.endpoint}/_kempelen/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
        assert "Kempelen" in page.inner_text(".swagger-ui .info .title")
        page.locator(".opblock-summary-path", has_text="/api/worker/hits").first.wait_for(timeout=20_000)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "docs-offline.png"))
    finally:
        context.close()
    assert elsewhere == []
