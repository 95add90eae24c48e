"""A curator's day in a real browser: headless Chromium (Debian's `chromium`) driven by
Playwright, against the app served by uvicorn on 127.0.0.1. Every page the curator sees is
checked with axe-core (no serious or critical violation) and photographed at desktop width and
at 375 px (set REESTR_SCREENSHOTS=DIR to keep the pictures); the sign-in is done with the
keyboard alone, and the focused control is visibly outlined.

Skips without /usr/bin/chromium, playwright or npm (fails instead in CI), like the public page's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.world import TODAY
from support.axe import assert_accessible
from support.world.staff import PASSWORD, StaffWorld
from test_public_browser import CHROMIUM, CHROMIUM_ARGS, _browser_available  # noqa: F401  (skip rule)

from ops.storage import open_registry


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffWorld]:
    folder = tmp_path_factory.mktemp("staff-browser")
    registry = open_registry(f"sqlite:///{folder}/reestr.sqlite3", clock=lambda: TODAY)
    world = StaffWorld(registry, served=True)
    try:
        yield world
    finally:
        world.close()
        registry.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("REESTR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Visit:
    """A curator's browser tab: every page it lands on is checked and photographed."""

    def __init__(self, chromium: Any, world: StaffWorld, shots: Path, width: int = 1280):
        self.world = world
        self.url = world._server.url  # type: ignore[union-attr]
        self.context = chromium.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
        self.page = self.context.new_page()
        self.shots = shots
        self.width = width

    def close(self) -> None:
        self.context.close()

    def look(self, name: str) -> None:
        """axe finds nothing serious, nothing overflows the width, and a screenshot is kept."""
        page = self.page
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "ru"
        assert_accessible(page, name)
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= self.width, f"{name}: the page is {overflow}px wide at {self.width}px"
        page.screenshot(path=str(self.shots / f"{name}-{self.width}.png"), full_page=True)

    def go(self, path: str, name: str) -> None:
        self.page.goto(self.url + path)
        self.look(name)

    def submit(self, button: str, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button).click()
        self.look(name)

    def follow(self, link: str, name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=link).click()
        self.look(name)


def _sign_in_with_the_keyboard(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.url + "/staff/")
    assert "/staff/login" in page.url
    visit.look("login")
    for _ in range(12):  # Tab through the page until the login field has the focus
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "login":
            break
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "the focused field must be visibly outlined"
    page.keyboard.type("curator")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation(url=re.compile(r".*/staff/$")):
        page.keyboard.press("Enter")


def _fill_date(page: Any, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)


def test_a_curators_day_in_the_browser(chromium: Any, world: StaffWorld, shots: Path, tmp_path: Path) -> None:
    visit = Visit(chromium, world, shots)
    page = visit.page
    try:
        _sign_in_with_the_keyboard(visit)
        visit.look("dashboard")
        assert page.get_by_role("heading", level=1).inner_text() == "Школа № 1"

        visit.follow("Подать заявку наставника", "mentor-new")
        visit.submit("Подать заявку", "mentor-new-errors")
        assert page.locator("#form-errors").is_visible()
        assert page.locator("#f-person-full_name-error").inner_text() == "Поле не может быть пустым"
        page.get_by_label("ФИО полностью").fill("Белова Анна Сергеевна")
        page.get_by_label("Должность (или класс, курс)").fill("учитель биологии")
        page.get_by_label("Тип наставника").select_option(label="педагог")
        page.get_by_label("ученик – ученик").check()
        page.get_by_label("Сколько наставляемых одновременно").fill("2")
        _fill_date(page, "Дата заявки *", "01.09.2022")
        page.get_by_label("ФИО", exact=True).check()
        page.get_by_label("организация", exact=True).check()
        visit.submit("Подать заявку", "mentor-card")
        assert "Заявка наставника подана" in page.content()
        mentor_id = page.url.split("/staff/mentors/")[1].split("?")[0]

        # The institute approves (its own pages are another part of the workspace).
        world.write(f"/mentors/{mentor_id}/approve", {"effective_date": "2022-09-10"})

        visit.go("/staff/mentees/new", "mentees-new")
        _fill_date(page, "Дата включения в программу *", "05.09.2022")
        page.locator("#f-rows-0-full_name").fill("Гусев Илья")
        page.locator("#f-rows-0-birth_year").fill("2009")
        page.locator("#f-rows-1-full_name").fill("Зайцева Ева")
        page.locator("#f-rows-1-birth_year").fill("2010")
        visit.submit("Зарегистрировать", "mentees")
        assert "Гусев Илья" in page.content() and "Зайцева Ева" in page.content()

        visit.go("/staff/pairs/new", "pair-new")
        first = page.get_by_label("Наставник").locator("option").nth(1).inner_text()
        assert first.startswith("Белова Анна Сергеевна — свободно мест: 2 из 2")
        page.get_by_label("Наставник").select_option(index=1)
        page.get_by_label("Гусев Илья (обучающийся)").check()
        page.get_by_label("Форма наставничества").select_option(label="ученик – ученик")
        _fill_date(page, "Дата начала *", "15.09.2022")
        visit.submit("Сформировать", "pair")
        assert "Пара: Белова Анна Сергеевна" in page.get_by_role("heading", level=1).inner_text()
        _fill_date(page, "Дата завершения *", "20.05.2023")
        page.get_by_label("Результат").fill("Исследовательский проект защищён")
        visit.submit("Завершить", "pair-completed")
        assert "завершена" in page.content() and "Завершена с результатом" in page.content()

        header = "ФИО;Категория;Организация;Год или дата рождения;Дата включения в программу\n"
        broken = (header + "Тихонов Глеб;обучающийся;Школа № 1;2009;01.09.2022\n"
                  "Фомина Вера;пришелец;Школа № 1;2010;01.09.2022\n"
                  "Яковлев Лев;обучающийся;Школа № 1;2009;32.09.2022\n")
        (tmp_path / "ученики.csv").write_text(broken, encoding="utf-8")
        visit.go("/staff/import", "import")
        page.get_by_label("Что в файле").select_option(label="база наставляемых")
        page.get_by_label("Файл", exact=True).set_input_files(str(tmp_path / "ученики.csv"))
        visit.submit("Проверить файл", "import-errors")
        rows = page.locator("table tbody tr")
        assert rows.count() == 2
        assert rows.nth(0).locator("td").nth(0).inner_text() == "3"
        assert rows.nth(1).locator("td").nth(0).inner_text() == "4"
        with page.expect_download() as download:
            page.get_by_role("link", name="Скачать файл с пометками у ошибочных ячеек").click()
        assert download.value.suggested_filename.endswith(".xlsx")

        fixed = broken.replace("пришелец", "обучающийся").replace("32.09.2022", "01.09.2022")
        (tmp_path / "ученики.csv").write_text(fixed, encoding="utf-8")
        visit.follow("Загрузить исправленный файл", "import-again")
        page.get_by_label("Что в файле").select_option(label="база наставляемых")
        page.get_by_label("Файл", exact=True).set_input_files(str(tmp_path / "ученики.csv"))
        visit.submit("Проверить файл", "import-checked")
        assert "Проверка пройдена" in page.content()
        visit.submit("Записать в реестр", "import-done")
        assert "Записано строк: 3" in page.content()

        visit.go("/staff/checklist", "checklist")
        page.locator("#item-curator_appointed summary").click()
        page.locator("#item-curator_appointed").get_by_label("Дата выполнения *").fill("01.09.2022")
        page.locator("#item-curator_appointed").get_by_label("Номер документа").fill("145-о")
        evidence = "https://school1.example/nastavnichestvo/prikaz-145.pdf"
        page.locator("#item-curator_appointed").get_by_label("Ссылка на подтверждение").fill(evidence)
        with page.expect_navigation():
            page.locator("#item-curator_appointed").get_by_role("button", name="Отметить выполненным").click()
        visit.look("checklist-marked")
        assert "выполнен</span> 01.09.2022, документ № 145-о" in page.content()

        visit.go("/staff/mentees", "mentees-after-import")
        assert "Фомина Вера" in page.content()
        for path, name in [("/staff/mentors", "mentors"), ("/staff/pairs", "pairs"),
                           ("/staff/programs/new", "program-new"), ("/staff/programs", "programs"),
                           ("/staff/checklist", "checklist"), ("/staff/password", "password"),
                           (f"/staff/mentors/{mentor_id}/profile", "mentor-profile"), ("/staff/", "dashboard-after")]:
            visit.go(path, name)
    finally:
        visit.close()


def test_the_pages_fit_a_phone(chromium: Any, world: StaffWorld, shots: Path) -> None:
    visit = Visit(chromium, world, shots, width=375)
    try:
        _sign_in_with_the_keyboard(visit)
        mentor = world.mentor(world.org_a)
        pair = world.pair(world.org_a, mentor)
        for path, name in [("/staff/", "dashboard"), ("/staff/mentors/new", "mentor-new"),
                           (f"/staff/mentors/{mentor}", "mentor-card"), ("/staff/mentees/new", "mentees-new"),
                           ("/staff/pairs/new", "pair-new"), (f"/staff/pairs/{pair}", "pair"),
                           ("/staff/import", "import"), ("/staff/checklist", "checklist")]:
            visit.go(path, name)
    finally:
        visit.close()
