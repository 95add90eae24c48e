"""The institute's and the auditor's day in a real browser: headless Chromium (Debian's package)
driven by Playwright, against the app served by uvicorn over the demo region, signed in with the
demo sign-ins `reestr serve --demo` prints.

The institute builds the 2020 vs 2021 report, downloads the XLSX and opens the HTML; approves an
application from the queue; the auditor finds that mentor and reads the history; the coordinator
reads its organizations' table. axe-core (the npm package, injected into each page) finds no
serious or critical violation on any of these pages; each page is photographed on a desktop and
on a 375 px phone (saved in REESTR_SCREENSHOTS, else the test's temporary folder) and fits the
phone's width.

Off CI, without chromium, playwright or axe-core (`tests/support/axe.py` fetches it with
`npm pack`) these tests skip and say why; in CI they fail instead.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.world import TODAY
from support.world.api import LocalServer
from support.axe import assert_accessible, axe_source
from support.stores import IN_CI
from test_public_browser import CHROMIUM, CHROMIUM_ARGS, SCRATCH, _missing


def _skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI requires the browser test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    reason = _missing()
    if reason:
        _skip_or_fail(reason)


class Region:
    """The demo region served over HTTP with the demo sign-ins."""

    def __init__(self, registry: Any, app: Any, url: str, sign_ins: dict[str, tuple[str, str]]):
        self.registry, self.app, self.url, self.sign_ins = registry, app, url, sign_ins

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.app.state.views.transaction(write=False) as tx:
            return tx.rows(sql)


@pytest.fixture(scope="module")
def region() -> Iterator[Region]:
    from api.app import create_app
    from api.staff.accounts import StaffAccounts
    from ops.demo import load_demo
    from ops.demo.staff_users import add_demo_staff
    from ops.storage import open_registry

    with tempfile.TemporaryDirectory(dir=SCRATCH) as folder:
        registry = open_registry(f"sqlite:///{folder}/demo.sqlite3", clock=lambda: TODAY)
        try:
            load_demo(registry)
            made = add_demo_staff(registry, StaffAccounts(registry))
            app = create_app(registry)
            server = LocalServer(app)
            try:
                yield Region(registry, app, server.url, {s.role: (s.login, s.password) for s in made})
            finally:
                server.stop()
        finally:
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


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("REESTR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Person:
    """One signed-in person in their own browser context (a desktop's window, narrowed to a
    phone's width for a look)."""

    def __init__(self, chromium: Any, region: Region, role: str, axe: str, shots: Path):
        self.region, self.axe, self.shots, self.role = region, axe, shots, role
        self.context = chromium.new_context(
            viewport={"width": 1280, "height": 900}, locale="ru-RU", accept_downloads=True
        )
        self.page = self.context.new_page()
        login, password = region.sign_ins[role]
        self.page.goto(region.url + "/staff/login")
        self.page.get_by_label("Логин").fill(login)
        self.page.get_by_label("Пароль").fill(password)
        self.page.get_by_role("button", name="Войти").click()
        self.page.wait_for_url(region.url + "/staff/")

    def check(self, name: str) -> None:
        """axe-core on the page as it is: no serious or critical violation; then photographs on a
        desktop and on a phone, and the page fits the phone's width."""
        assert_accessible(self.page, name)
        self.page.screenshot(path=str(self.shots / f"{self.role}-{name}-desktop.png"), full_page=True)
        # The same page (a form's answer too) on a phone's width, then back.
        self.page.set_viewport_size({"width": 375, "height": 740})
        try:
            self.page.screenshot(path=str(self.shots / f"{self.role}-{name}-phone.png"), full_page=True)
            width = self.page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 375, f"{name} is {width} px wide on a 375 px screen"
        finally:
            self.page.set_viewport_size({"width": 1280, "height": 900})

    def nav(self, label: str, within: str = "Разделы") -> None:
        """Follow a link of the main navigation (or of a group's own: «Аудит: страницы»)."""
        self.page.get_by_role("navigation", name=within).get_by_role("link", name=label, exact=True).click()
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(chromium: Any, region: Region, axe: str, shots: Path) -> Iterator[Any]:
    opened: list[Person] = []

    def sign_in(role: str) -> Person:
        person = Person(chromium, region, role, axe, shots)
        opened.append(person)
        return person

    yield sign_in
    for person in opened:
        person.close()


def test_the_institute_builds_the_2020_2021_report_downloads_the_xlsx_and_opens_the_html(
    region: Region, people: Any
) -> None:
    from openpyxl import load_workbook

    admin = people("admin")
    page = admin.page
    admin.nav("Справка")
    admin.check("report-form")
    page.get_by_label("Первый период").fill("2020")
    page.get_by_label("Второй период").fill("2021")
    page.get_by_role("button", name="Составить справку").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="2020 год и 2021 год").is_visible()
    assert page.locator("figure.chart svg").count() == 4
    admin.check("report")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Excel (XLSX)", exact=True).click()
    saved = waiting.value.path()
    assert waiting.value.suggested_filename.startswith("dynamics_2020_2021_p")
    sheets = load_workbook(io.BytesIO(Path(saved).read_bytes())).sheetnames
    assert sheets, "the downloaded workbook opens"

    with page.context.expect_page() as opening:
        page.get_by_role("link", name="веб-страница (HTML)", exact=True).click()
    report = opening.value
    report.wait_for_load_state()
    assert report.title().startswith("Аналитическая справка") and "2021 год" in report.title()
    assert report.locator("svg").count() >= 4


def test_the_institute_approves_an_application_from_the_queue_and_the_auditor_reads_its_history(
    region: Region, people: Any
) -> None:
    pending = region.rows("SELECT id, full_name FROM {p}mentors WHERE status = 'pending' ORDER BY applied_on, id")
    assert pending, "the demo region should have applications waiting"
    mentor_id, name = pending[0]

    admin = people("admin")
    page = admin.page
    admin.nav("Заявки")
    admin.check("queue")
    page.get_by_label(f"Выбрать заявку: {name}").check()
    page.get_by_role("button", name="Включить выбранных в реестр…").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Включить в реестр: 1"
    admin.check("approve-confirm")
    page.get_by_label("Дата включения в реестр").fill("01.06.2023")
    page.get_by_role("button", name="Подтвердить: включить 1").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "Включены в реестр: 1."
    assert region.rows(f"SELECT status FROM {{p}}mentors WHERE id = '{mentor_id}'")[0][0] == "active"

    auditor = people("auditor")
    page = auditor.page
    auditor.nav("Аудит")
    page.get_by_label("Имя, название или идентификатор").fill(name.split()[0])
    page.get_by_role("button", name="Найти").click()
    page.wait_for_load_state()
    auditor.check("find")
    page.locator(f'a[href="/staff/audit/records/{mentor_id}"]').first.click()
    page.wait_for_load_state()
    history = page.locator("ol.history").inner_text()
    assert "Включён в реестр" in history and "01.06.2023" in history
    assert "Методист регионального института (демо)" in history
    auditor.check("history")
    page.get_by_label("Дата", exact=True).fill("31.12.2020")
    page.get_by_role("button", name="Показать факты").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Действует на 31.12.2020", exact=False).is_visible()
    auditor.check("history-in-force")


def test_the_other_pages_are_accessible_and_fit_a_phone(region: Region, people: Any) -> None:
    auditor = people("auditor")
    auditor.nav("Организации")
    auditor.check("status")
    auditor.nav("Аудит")
    for label, name in (("Журнал", "log"), ("Целостность", "verification"), ("Воспроизведение отчёта", "reproduce")):
        auditor.nav(label, within="Аудит: страницы")
        auditor.check(name)
    municipal = people("municipal")
    for label, name in (("Организации", "status"), ("Заявки", "queue"), ("Справка", "report")):
        municipal.nav(label)
        municipal.check(name)
    page = municipal.page
    page.get_by_role("button", name="Составить справку").click()
    page.wait_for_load_state()
    assert page.locator("figure.chart svg").count() == 4
    municipal.check("report-result")


def test_the_institute_s_start_users_and_erasure_pages_are_accessible(region: Region, people: Any) -> None:
    admin = people("admin")
    page = admin.page
    assert page.get_by_role("heading", level=1).inner_text() == "Показатели 2022 года"
    assert page.locator("figure.chart svg").count() == 4
    admin.check("start")
    admin.nav("Регион")
    for label, name in (
        ("Муниципалитеты и организации", "units"),
        ("Справочники", "reference"),
        ("Цели", "targets"),
        ("Пользователи", "users"),
    ):
        admin.nav(label, within="Регион: страницы")
        admin.check(name)
    page.get_by_role("link", name="Добавить пользователя").click()
    page.wait_for_load_state()
    page.get_by_label("Имя и должность").fill("Петрова А. В., куратор")
    page.get_by_label("Логин для входа").fill("petrova")
    page.get_by_label("Пароль").fill("короткий")  # too short: said beside the field
    page.get_by_role("button", name="Добавить").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert "не короче 10 символов" in page.locator("#f-password-error").inner_text()
    admin.check("user-new-errors")
    mentee_id = region.rows("SELECT id FROM {p}mentees ORDER BY id LIMIT 1")[0][0]
    page.goto(f"{region.url}/staff/erasure/{mentee_id}")
    assert page.get_by_role("heading", name="Будет уничтожено безвозвратно").is_visible()
    admin.check("erasure")
