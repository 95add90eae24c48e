"""`/docs` on a closed network: Swagger UI, its styles and its favicon come from this server.

FastAPI's stock page loaded its script and styles from a public CDN and its favicon from the
framework's site, so on a network without internet `/docs` was a blank page. A real Chromium
opens it with every request that is not to 127.0.0.1 aborted, and sees the operations listed.

Off CI, without /usr/bin/chromium (or playwright) the browser test skips; in CI it fails.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from support.world.api import ApiWorld, open_world
from support.stores import IN_CI

from registry.application import Registry

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def world(memory_registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(memory_registry, served=True)


def test_the_docs_pages_name_only_local_assets(world: ApiWorld) -> None:
    for page in ("/docs", "/redoc"):
        html = world.client.get(page).text
        assert "cdn.jsdelivr.net" not in html and "fastapi.tiangolo.com" not in html
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png") if page == "/docs" else (
            "redoc.standalone.js", "favicon.png"
        ):
            path = next(part.split('"')[0] for part in html.split("/static-offline-docs/")[1:] if part.startswith(asset))
            answer = world.client.get(f"/static-offline-docs/{path}")
            assert answer.status_code == 200 and len(answer.content) > 1000, (page, asset)


def test_swagger_ui_renders_the_operations_with_the_internet_cut_off(world: ApiWorld) -> None:
    if not os.path.exists(CHROMIUM) or importlib.util.find_spec("playwright") is None:
        if IN_CI:
            pytest.fail(f"CI requires the browser test: {CHROMIUM} or playwright missing")
        pytest.skip(f"{CHROMIUM} or the playwright package is missing")
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def only_loopback(route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", only_loopback)
            page.goto(world._server.url + "/docs")  # type: ignore[union-attr]
            page.wait_for_selector(".opblock-summary", timeout=30_000)
            operations = page.locator(".opblock-summary-path").all_inner_texts()
            title = page.locator(".info .title").inner_text()
        finally:
            browser.close()
    assert "Реестр наставников" in title
    assert "/api/v1/mentors" in {text.replace("\u200b", "") for text in operations}
    assert blocked == [], "the page asked the internet for something"
