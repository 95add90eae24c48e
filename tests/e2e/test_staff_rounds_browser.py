"""Issue #18's workspace pages in a real browser (headless Chromium through Playwright, as in
`test_staff_browser`): the coordinator opens a round, filters the overdue schools, closes the
round after its confirmation page and plans a roadmap item; the curator asks the pair form for
mentor suggestions (the GET step, no script needed), chooses one, and records a questionnaire of
the completed pair. Every page passes axe-core (no serious or critical violation), fits the
width and is photographed at 1280 and 375 px (REESTR_SCREENSHOTS=DIR keeps them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.world.staff import PASSWORD, login_of
from test_staff_browser import Visit, chromium, shots, world  # noqa: F401  (the fixtures and the skip rule)
from test_public_browser import _browser_available  # noqa: F401


def _sign_in(visit: Visit, key: str) -> None:
    page = visit.page
    page.goto(visit.url + "/staff/login")
    page.locator("#login").fill(login_of(key))
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_coordinator_runs_a_round_and_a_roadmap(chromium: Any, world: Any, shots: Path, width: int) -> None:  # noqa: F811
    visit = Visit(chromium, world, shots, width=width)
    page = visit.page
    try:
        _sign_in(visit, "municipal")
        visit.go("/staff/rounds", "rounds")
        visit.follow("Объявить мониторинг", "round-new")
        page.locator("#f-title").fill(f"Мониторинг ЦМН ({width})")
        page.locator("#f-year").fill("2022")
        page.locator("#f-opened_on").fill("02.05.2023")
        page.locator("#f-due_on").fill("20.05.2023")
        visit.submit("Объявить", "round")
        assert "Мониторинг объявлен" in page.content() and "не представлено" in page.content()
        page.get_by_label("Только просроченные (не представили, срок истёк)").check()
        visit.submit("Показать", "round-overdue")
        assert "срок истёк" in page.content()
        visit.follow("Закрыть мониторинг…", "round-close")
        page.locator("#f-closed_on").fill("01.06.2023")
        visit.submit("Закрыть мониторинг", "round-closed")
        assert "Мониторинг закрыт" in page.content() and "Скачать манифест" in page.content()

        visit.go("/staff/roadmap", "roadmap")
        page.locator("#f-item").select_option(index=width % 3 + 1)
        page.locator("#f-due_on").fill("01.02.2023")
        page.locator("#f-document_kind").select_option("order")
        page.locator("#f-responsible").fill("Руководитель организации")
        visit.submit("Запланировать", "roadmap-planned")
        assert "Пункт внесён в дорожную карту" in page.content()
        visit.follow("Что просрочено", "roadmap-overdue")
        visit.go("/staff/organizations/status?year=2022", "organization-status")
    finally:
        visit.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_curator_is_suggested_a_mentor_and_records_a_questionnaire(
    chromium: Any, world: Any, shots: Path, width: int  # noqa: F811
) -> None:
    mentor = world.mentor(world.org_a, capacity=5)
    mentee = world.mentee(world.org_a)
    name = world.get(f"/mentors/{mentor}", as_="admin").json()["item"]["full_name"]
    mentee_name = world.get(f"/mentees/{mentee}", as_="admin").json()["item"]["full_name"]
    visit = Visit(chromium, world, shots, width=width)
    page = visit.page
    try:
        _sign_in(visit, "curator")
        visit.go("/staff/pairs/new", "pair-new-suggest")
        page.locator(f"#f-mentee_ids-{mentee}").check()
        page.get_by_label("Форма наставничества").select_option("pupil_pupil")
        page.locator("#f-started_on").fill("15.09.2022")
        visit.submit("Подобрать наставника", "pair-suggestions")
        assert "csrf_token" not in page.url and "Подходящие наставники" in page.content()
        choose = page.get_by_role("link", name=f"Выбрать: {name}")
        choose.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")  # the keyboard alone chooses
        visit.look("pair-suggestion-chosen")
        assert page.locator("#f-mentor_id").input_value() == mentor
        assert page.locator(f"#f-mentee_ids-{mentee}").is_checked()
        visit.submit("Сформировать", "pair-formed")
        page.locator("#f-complete-ended_on").fill("20.05.2023")
        page.locator("#f-complete-outcome").fill("Проект защищён")
        visit.submit("Завершить", "pair-feedback")
        assert "Анкеты участников" in page.content()
        page.locator("#f-mentor-answered_on").fill("21.05.2023")
        for question in ("overall", "communication", "usefulness", "support", "organization", "goals"):
            page.locator(f"#f-mentor-scores-{question}").select_option("8")
        visit.submit(f"Внести анкету наставника {name}", "pair-feedback-recorded")
        assert "Анкета внесена." in page.content() and f"Анкета наставляемого {mentee_name}" in page.content()
    finally:
        visit.close()
