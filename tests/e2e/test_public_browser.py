"""The public lookup in a real browser: headless Chromium (Debian's `chromium` package) driven by
Playwright for Python, against the app served by a real uvicorn server on 127.0.0.1, over the
demo region.

A newcomer finds a mentor by part of the name typed with «е» for «ё», opens the card, pages
through the whole list; no hidden mentor's name appears on any page; the page works with
JavaScript off and fits a 375 px phone; a suspension hides the mentor at the next page load.
Screenshots are saved in each test's temporary folder.

Off CI, without /usr/bin/chromium (or the playwright package) these tests skip and say why; in
CI (`CI=true`) they fail instead: `.ci/run` installs chromium.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from support.world import TODAY
from support.world.api import LocalServer, add_user
from support.stores import IN_CI

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


def _missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    reason = _missing()
    if reason:
        if IN_CI:
            pytest.fail(f"CI requires the browser test: {reason}")
        pytest.skip(reason)


class DemoSite:
    """The demo region served over HTTP, and what the staff views know (to check against)."""

    def __init__(self, registry: Any, app: Any, url: str):
        self.registry = registry
        self.app = app
        self.url = url
        self.admin_token = add_user(registry, "Администратор (тест браузера)", "admin")[1]

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        views = self.app.state.views
        with views.transaction(write=False) as tx:
            return tx.rows(sql)

    def public_names(self) -> set[str]:
        return {r[0] for r in self.rows("SELECT full_name FROM {p}public_mentors WHERE full_name IS NOT NULL")}

    def hidden_names(self) -> set[str]:
        """Every mentor's name that is not published (pending, rejected, suspended, removed, no
        consent, consent withdrawn, or a consent without the name), unless a published mentor
        bears the same name."""
        everyone = {r[0] for r in self.rows("SELECT full_name FROM {p}mentors")}
        return everyone - self.public_names()


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    from api.app import create_app
    from ops.demo import load_demo
    from ops.storage import open_registry

    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        registry = open_registry(f"sqlite:///{folder}/demo.sqlite3", clock=lambda: TODAY)
        try:
            load_demo(registry)
            app = create_app(registry)
            server = LocalServer(app)
            try:
                yield DemoSite(registry, app, server.url)
            finally:
                server.stop()
        finally:
            registry.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    """A visitor on a desktop, with JavaScript OFF: the pages must not need it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False, locale="ru-RU")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True,
        java_script_enabled=False, locale="ru-RU",
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def _assert_nothing_hidden(site: DemoSite, page: Any, hidden: set[str]) -> None:
    html = page.content()
    leaked = sorted(name for name in hidden if name in html)
    assert not leaked, f"hidden mentors on {page.url}: {leaked}"


def _result_names(page: Any) -> list[str]:
    return [name.strip() for name in page.locator("ol.results a.name").all_inner_texts()]


def _first_yo_mentor(site: DemoSite) -> tuple[str, str]:
    """A published mentor whose surname has «ё», and the query a newcomer types: part of the
    surname and of the first name, «е» for «ё», in capitals, with stray spaces."""
    for mentor_id, name in site.rows(
        "SELECT id, full_name FROM {p}public_mentors WHERE full_name IS NOT NULL ORDER BY sort_key, id"
    ):
        surname, first = name.split()[:2]
        if "ё" in surname and len(surname) > 5:
            return mentor_id, f"  {surname[:-2].replace('ё', 'е').upper()}   {first[:3]}  "
    raise AssertionError("the demo region has no published mentor with «ё» in the surname")


def test_a_newcomer_finds_a_mentor_by_part_of_the_name_with_e_for_yo(
    site: DemoSite, desktop: Any, tmp_path: Path
) -> None:
    mentor_id, typed = _first_yo_mentor(site)
    name = next(n for i, n in site.rows("SELECT id, full_name FROM {p}public_mentors") if i == mentor_id)
    hidden = site.hidden_names()
    assert hidden, "the demo region should have hidden mentors to check against"

    page = desktop
    page.goto(site.url + "/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.title().startswith("Поиск наставников")
    # Every form control has a label a screen reader reads out.
    for control in page.locator("form.search input, form.search select").all():
        control_id = control.get_attribute("id")
        assert page.locator(f'label[for="{control_id}"]').count() == 1, control_id
    page.get_by_label("Фамилия, имя или отчество").fill(typed)
    page.get_by_role("button", name="Найти").click()
    page.wait_for_load_state()
    assert "q=" in page.url and page.url.endswith("#results")  # the browser shows the results
    found = _result_names(page)
    assert name in found, (typed, found)
    assert "ё" in name and "ё" not in typed.lower()
    _assert_nothing_hidden(site, page, hidden)
    page.screenshot(path=str(tmp_path / "search-desktop.png"), full_page=True)

    page.get_by_role("link", name=name).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/mentors/{mentor_id}")
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.locator("html").get_attribute("lang") == "ru"
    _assert_nothing_hidden(site, page, hidden)
    page.screenshot(path=str(tmp_path / "card-desktop.png"), full_page=True)

    page.get_by_role("link", name="← К поиску наставников").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == site.url


def test_paging_through_the_whole_list_shows_every_published_mentor_once(
    site: DemoSite, desktop: Any, tmp_path: Path
) -> None:
    hidden = site.hidden_names()
    expected_total = site.rows("SELECT COUNT(*) FROM {p}public_mentors")[0][0]
    page = desktop
    page.goto(site.url + "/")
    summary = page.locator("h2.summary").inner_text()
    assert f"{expected_total} " in summary, summary
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        _assert_nothing_hidden(site, page, hidden)
        seen += [link.get_attribute("href") for link in page.locator("ol.results a.name").all()]
        following = page.locator('nav.pages a[rel="next"]')
        if following.count() == 0:
            break
        following.click()
        page.wait_for_load_state()
        assert page.locator('nav.pages [aria-current="page"]').inner_text() == str(pages + 1)
        if pages == 1:
            page.screenshot(path=str(tmp_path / "page-2-desktop.png"), full_page=True)
    assert pages == -(-expected_total // 20) and pages > 1
    assert len(seen) == len(set(seen)) == expected_total


def test_on_a_phone_the_page_fits_and_nothing_found_is_clear(site: DemoSite, phone: Any, tmp_path: Path) -> None:
    hidden = site.hidden_names()
    page = phone
    page.goto(site.url + "/")
    page.screenshot(path=str(tmp_path / "search-phone.png"), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px screen"
    box = page.get_by_label("Фамилия, имя или отчество").bounding_box()
    assert box is not None and box["width"] > 300  # the search box takes the screen's width

    municipality = page.get_by_label("Муниципальное образование")
    municipality.select_option(index=1)
    page.get_by_role("button", name="Найти").click()
    page.wait_for_load_state()
    assert "municipality=" in page.url
    assert page.locator("ol.results li").count() > 0
    _assert_nothing_hidden(site, page, hidden)

    page.get_by_label("Фамилия, имя или отчество").fill("Щщщъъъ")
    page.get_by_role("button", name="Найти").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ничего не найдено").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path / "nothing-phone.png"))  # what the screen shows: the answer

    page.goto(site.url + "/")
    page.locator("ol.results a.name").first.click()
    page.wait_for_load_state()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path / "card-phone.png"), full_page=True)


def test_hidden_and_unknown_mentors_get_the_same_not_found_page(site: DemoSite, desktop: Any, tmp_path: Path) -> None:
    hidden_id = site.rows(
        "SELECT id FROM {p}mentors WHERE status <> 'active' ORDER BY id LIMIT 1"
    )[0][0]
    texts = []
    for mentor_id in (hidden_id, "00000000-0000-4000-8000-000000000000"):
        response = desktop.goto(f"{site.url}/mentors/{mentor_id}")
        assert response is not None and response.status == 404
        assert desktop.get_by_role("heading", level=1).inner_text() == "Наставник не найден"
        texts.append(desktop.locator("main").inner_text())
    assert texts[0] == texts[1]
    desktop.screenshot(path=str(tmp_path / "not-found-desktop.png"), full_page=True)


def test_a_suspension_hides_the_mentor_at_the_next_page_load(site: DemoSite, desktop: Any) -> None:
    """The last test of the module: it changes the region. The write goes through the API, whose
    write path brings the views up to date before it answers."""
    import httpx

    mentor_id, name = site.rows(
        "SELECT id, full_name FROM {p}public_mentors WHERE full_name IS NOT NULL ORDER BY sort_key, id LIMIT 1"
    )[0]
    desktop.goto(f"{site.url}/mentors/{mentor_id}")
    assert desktop.get_by_role("heading", level=1).inner_text() == name
    response = httpx.post(
        f"{site.url}/api/v1/mentors/{mentor_id}/suspend",
        # The demo mentor leads pairs: suspending them ends those on the same day (asked for).
        json={"reason": "Проверка скрытия", "effective_date": "2023-05-01", "end_pairs": True},
        headers={"Authorization": f"Bearer {site.admin_token}"},
    )
    assert response.status_code == 200, response.text
    assert desktop.goto(f"{site.url}/mentors/{mentor_id}").status == 404
    desktop.goto(site.url + "/?" + urlencode({"q": name}))
    assert name not in _result_names(desktop)
    assert f"/mentors/{mentor_id}" not in desktop.content()
    desktop.goto(site.url + "/")
    assert f"/mentors/{mentor_id}" not in desktop.content()  # it was the first of the list
