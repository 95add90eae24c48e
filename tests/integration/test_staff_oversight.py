"""The institute's, the municipal coordinator's and the auditor's pages, through the real app on
both stores: people sign in with a password and use the pages as a browser would (forms, CSRF).

Scenario: a region of two municipalities — the home one with schools A and B (ApiWorld) and a
far one with its lyceum. Curators applied mentors; the institute decides in the queue; the
coordinator of the home municipality watches its schools; the auditor reads the log.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from uuid import UUID

import pytest
from openpyxl import load_workbook
from support.world.api import open_world
from support.world.oversight import OversightWorld

from projections.manifest import reproduce
from registry.application import Registry


@pytest.fixture
def world(registry: Registry) -> Iterator[OversightWorld]:
    yield from open_world(registry, OversightWorld)


def _events(world: OversightWorld, aggregate_id: str) -> list[str]:
    return [type(e).__qualname__ for e in world.history(aggregate_id)]


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# -- the approval queue ------------------------------------------------------------------------


def test_the_institute_approves_two_applications_at_once_after_one_confirmation(world: OversightWorld) -> None:
    near = world.mentor(world.org_a, approve=False, as_="curator")
    far = world.mentor(world.org_far, approve=False)
    admin = world.person("admin")

    queue = admin.get("/staff/approvals").text
    assert f'value="{near}"' in queue and f'value="{far}"' in queue

    confirm = admin.post("/staff/approvals/confirm", {"mentor_id": [near, far], "action": "approve"})
    assert confirm.status_code == 200
    assert "Подтвердить: включить 2" in confirm.text
    assert _events(world, near) == ["Mentor.Applied"]  # the confirmation page records nothing

    done = admin.post("/staff/approvals/approve", {"mentor_id": [near, far], "effective_date": "15.09.2020"})
    assert done.status_code == 303
    assert _events(world, near) == ["Mentor.Applied", "Mentor.Approved"]
    assert _events(world, far) == ["Mentor.Applied", "Mentor.Approved"]
    approved = world.history(near)[-1]
    assert approved.meta.user_id == world.user_ids["admin"]
    assert approved.effective_date.isoformat() == "2020-09-15"

    after = admin.get(done.headers["location"]).text
    assert "Включены в реестр: 2." in after
    assert f'value="{near}"' not in after and "Заявок нет" in after


def test_a_date_before_an_application_refuses_the_whole_batch_and_names_the_application(world: OversightWorld) -> None:
    early = world.mentor(world.org_a, approve=False)  # applied on 01.09.2020
    other = world.mentor(world.org_b, approve=False)
    admin = world.person("admin")
    position = world.position()

    refused = admin.post("/staff/approvals/approve", {"mentor_id": [other, early], "effective_date": "31.08.2020"})

    assert refused.status_code == 422
    assert "Ничего не записано" in refused.text
    assert "01.09.2020" in refused.text
    assert world.position() == position  # neither was approved
    bad_date = admin.post("/staff/approvals/approve", {"mentor_id": [early], "effective_date": "31/08"})
    assert bad_date.status_code == 422 and "дд.мм.гггг" in bad_date.text
    assert world.position() == position


def test_the_institute_rejects_with_a_reason_and_a_missing_reason_is_said_beside_the_field(
    world: OversightWorld,
) -> None:
    mentor = world.mentor(world.org_a, approve=False)
    admin = world.person("admin")

    one = admin.post("/staff/approvals/confirm", {"one": f"reject:{mentor}"})
    assert "Причина отказа" in one.text and "Подтвердить: отклонить 1" in one.text
    empty = admin.post("/staff/approvals/reject", {"mentor_id": [mentor], "reason": "  "})
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.text
    assert _events(world, mentor) == ["Mentor.Applied"]
    for role in ("admin", "municipal", "curator", "auditor"):  # the navigation's «Аудит»
        answer = world.person(role).get("/staff/audit")
        assert answer.status_code == (303 if role in ("admin", "auditor") else 403), role

    done = admin.post("/staff/approvals/reject", {"mentor_id": [mentor], "reason": "нет документа об образовании"})
    assert done.status_code == 303
    rejected = world.history(mentor)[-1]
    assert type(rejected).__qualname__ == "Mentor.Rejected" and rejected.reason == "нет документа об образовании"


def test_the_coordinator_sees_its_municipality_s_queue_read_only(world: OversightWorld) -> None:
    near = world.mentor(world.org_b, approve=False)
    far = world.mentor(world.org_far, approve=False)
    municipal = world.person("municipal")

    page = municipal.get("/staff/approvals").text
    assert world.registry.repository.get(UUID(near)).person.full_name in page
    assert world.registry.repository.get(UUID(far)).person.full_name not in page
    assert "Решение по заявке принимает институт" in page and 'name="mentor_id"' not in page
    # by URL: the far lyceum's filter finds nothing, a decision is refused
    assert "Заявок нет" in municipal.get("/staff/approvals", organization_id=world.org_far).text
    assert (
        municipal.post("/staff/approvals/approve", {"mentor_id": [near], "effective_date": "15.09.2020"}).status_code
        == 403
    )
    assert _events(world, near) == ["Mentor.Applied"]
    rows = _sheet(municipal.get("/staff/approvals.xlsx").content)
    assert rows[0][0] == "ФИО" and [r[-1] for r in rows[1:]] == [near]


# -- the report builder ------------------------------------------------------------------------


def test_the_institute_builds_the_2020_2021_report_inline_and_downloads_it_with_manifests(
    world: OversightWorld,
) -> None:
    world.pair(world.org_a)
    admin = world.person("admin")
    question = {"from": "2020", "to": "2021"}

    page = admin.get("/staff/reports", **question)
    assert page.status_code == 200
    assert "2020 год и 2021 год" in page.text and "<svg" in page.text and "Сводка" in page.text

    xlsx = admin.get("/staff/reports/dynamics.xlsx", **question)
    assert xlsx.headers["content-disposition"].startswith("attachment")
    assert _sheet(xlsx.content)  # a workbook that opens
    html = admin.get("/staff/reports/dynamics.html", **question)
    assert html.headers["content-disposition"].startswith("inline") and "<svg" in html.text
    for fmt in ("xlsx", "csv", "json", "html"):
        data = admin.get(f"/staff/reports/dynamics.{fmt}", **question).content
        manifest = admin.get(f"/staff/reports/manifest.{fmt}.json", **question).json()
        assert manifest["parameters"]["format"] == fmt and manifest["output"]["bytes"] == len(data)
        assert reproduce(world.registry, manifest).identical, fmt


def test_a_report_as_known_before_anything_was_recorded_is_empty_and_bad_fields_are_named(
    world: OversightWorld,
) -> None:
    admin = world.person("admin")
    known = admin.get("/staff/reports/dynamics.json", **{"from": "2020", "to": "2021", "known_on": "01.01.2021"})
    report = json.loads(known.content)
    assert report["known_at"].startswith("2021-01-01T23:59:59") and report["position"] == 0

    bad = admin.get("/staff/reports", **{"from": "2020", "to": "2021/23", "known_on": "32.01.2021"})
    assert bad.status_code == 422
    assert 'id="q-to-error"' in bad.text and 'id="q-known_on-error"' in bad.text


def test_the_coordinator_reports_on_its_municipality_only(world: OversightWorld) -> None:
    municipal = world.person("municipal")
    own = municipal.get("/staff/reports", **{"from": "2020", "to": "2021"})
    assert own.status_code == 200 and f"municipality:{world.home_municipality}" in own.text
    assert f"organization:{world.org_far}" not in own.text  # not even offered
    far = {"from": "2020", "to": "2021", "unit": f"organization:{world.org_far}"}
    assert municipal.get("/staff/reports", **far).status_code == 403
    assert municipal.get("/staff/reports/dynamics.xlsx", **far).status_code == 403
    assert municipal.get("/staff/reports/manifest.xlsx.json", **{**far, "unit": "region"}).status_code == 403


# -- the status table ----------------------------------------------------------------------------


def test_the_status_table_shows_contingent_checklist_pairs_and_what_is_overdue(world: OversightWorld) -> None:
    world.write(
        f"/organizations/{world.org_a}/contingents",
        {"year": 2021, "figures": {"students_total": 500, "students_10_19": 300}},
    )
    world.pair(world.org_a)
    municipal = world.person("municipal")
    before_round = municipal.get("/staff/organizations/status", year="2021").text
    assert "не внесено" not in before_round, "no round asks for anything yet: nothing is overdue"
    # Overdue follows the deadline of an open round asking for the 2021 contingent (no invented date).
    world.created("/monitoring-rounds", {
        "title": "Мониторинг ЦМН за 2021 год", "year": 2021, "asked": ["contingent"], "organization_kinds": ["school"],
        "municipality_id": world.home_municipality, "opened_on": "2021-09-01", "due_on": "2021-10-10",
    }, as_="municipal")

    page = municipal.get("/staff/organizations/status", year="2021").text
    assert "Школа № 1" in page and "Школа № 2" in page and "Лицей дальнего района" not in page
    assert "мониторинг «Мониторинг ЦМН за 2021 год»: не внесено — контингент за 2021 год (срок 10.10.2021)" in page
    assert page.count("не внесено — контингент") == 1  # school B's, not A's
    rows = {r[1]: r for r in _sheet(municipal.get("/staff/organizations/status.xlsx", year="2021").content)[1:]}
    assert rows["Школа № 1"][3] == "да" and rows["Школа № 2"][3] == "нет"
    assert rows["Школа № 1"][5] == 1 and rows["Школа № 2"][5] == 0
    assert "контингент" not in rows["Школа № 1"][6]
    overdue_only = municipal.get("/staff/organizations/status", year="2021", overdue="1", sort="overdue").text
    assert "Школа № 2" in overdue_only
    assert (
        "Лицей дальнего района"
        not in municipal.get("/staff/organizations/status", municipality_id=world.other_municipality).text
    )
    assert "Лицей дальнего района" in world.person("auditor").get("/staff/organizations/status").text


# -- the auditor ---------------------------------------------------------------------------------


def test_the_auditor_reads_a_mentor_s_history_as_known_and_as_in_force(world: OversightWorld) -> None:
    mentor = world.mentor(world.org_a)
    world.training(mentor)
    name = world.registry.repository.get(UUID(mentor)).person.full_name
    auditor = world.person("auditor")

    found = auditor.get("/staff/audit/records", q=name.split()[0]).text
    assert f"/staff/audit/records/{mentor}" in found
    page = auditor.get(f"/staff/audit/records/{mentor}").text
    for said in (
        "Подана заявка наставника",
        "Включён в реестр",
        "Учтено обучение",
        "Администратор ИРО",
        "15.09.2020",
    ):
        assert said in page
    before = auditor.get(f"/staff/audit/records/{mentor}", known_at="01.01.2001").text
    assert "запись ещё не была внесена" in before
    known = auditor.get(f"/staff/audit/records/{mentor}", known_at="31.12.2099 12:00").text
    assert "Состояние после версии 3" in known
    in_force = auditor.get(f"/staff/audit/records/{mentor}", effective_on="01.01.2021").text
    assert "Действует на 01.01.2021: событий 2" in in_force
    assert auditor.get(f"/staff/audit/records/{mentor}", known_at="вчера").status_code == 422
    assert auditor.get(f"/staff/audit/records/{UUID(int=7)}").status_code == 404
    rows = _sheet(auditor.get(f"/staff/audit/records/{mentor}/history.xlsx").content)
    assert [r[2] for r in rows[1:]] == [
        "Подана заявка наставника",
        "Включён в реестр",
        "Учтено обучение",
    ]


def test_after_an_erasure_the_history_says_data_erased(world: OversightWorld) -> None:
    mentor = world.mentor(world.org_a)
    name = world.registry.repository.get(UUID(mentor)).person.full_name
    world.write(f"/persons/{mentor}/erase", {"reason": "заявление № 12"})
    page = world.person("auditor").get(f"/staff/audit/records/{mentor}").text
    assert "данные удалены" in page and name not in page


def test_the_log_pages_by_position_and_downloads(world: OversightWorld) -> None:
    auditor = world.person("auditor")
    head = world.position()
    first = auditor.get("/staff/audit/log").text
    assert 'class="num">1</td>' in first and 'rel="next"' in first
    tail = auditor.get("/staff/audit/log", after=str(head - 1)).text
    assert f'class="num">{head}</td>' in tail and 'rel="next"' not in tail
    rows = _sheet(auditor.get("/staff/audit/log.xlsx", after="0", limit="10").content)
    assert [r[0] for r in rows[1:]] == list(range(1, 11))


def test_verification_and_the_latest_checkpoint(world: OversightWorld, tmp_path) -> None:  # noqa: ANN001
    from projections.transparency.checkpoints import (
        generate_keys,
        issue_checkpoint,
        load_private_key,
    )
    from projections.transparency.store import TransparencyLog

    auditor = world.person("auditor")
    assert "Контрольных точек ещё не выдавалось" in auditor.get("/staff/audit/verification").text
    assert auditor.get("/staff/audit/checkpoint.json").status_code == 404
    private, _, _ = generate_keys(tmp_path)
    log = TransparencyLog(world.registry)
    log.catch_up()
    issued = issue_checkpoint(log, load_private_key(private))

    ran = auditor.post("/staff/audit/verification", {})
    assert ran.status_code == 303
    page = auditor.get(ran.headers["location"]).text
    assert "Журнал цел" in page and issued.root_hash in page
    assert json.loads(auditor.get("/staff/audit/checkpoint.json").content)["signature"] == issued.signature


def test_verification_names_a_row_put_in_past_the_registry_and_never_absorbs_it(world: OversightWorld) -> None:
    from support.transparency import RawStore

    from projections.transparency.store import TransparencyLog

    auditor = world.person("auditor")
    raw = RawStore(world.registry)
    forged = raw.positions()[-1] + 1
    raw.insert_at(forged)  # no unit of work: no leaf
    size = TransparencyLog(world.registry).head().tree_size

    assert auditor.get("/staff/audit/verification").status_code == 200
    page = auditor.get(auditor.post("/staff/audit/verification", {}).headers["location"]).text
    assert "НАРУШЕНИЕ ЦЕЛОСТНОСТИ" in page and str(forged) in page
    assert TransparencyLog(world.registry).head().tree_size == size  # the forged row got no leaf


def test_the_auditor_reproduces_a_report_from_its_uploaded_manifest(world: OversightWorld) -> None:
    world.pair(world.org_a)
    auditor = world.person("auditor")
    question = {"from": "2020", "to": "2021"}
    data = auditor.get("/staff/reports/dynamics.csv", **question).content
    manifest = auditor.get("/staff/reports/manifest.csv.json", **question).content

    same = auditor.post(
        "/staff/audit/reproduce",
        {},
        files={"manifest": ("m.json", manifest, "application/json"), "report": ("r.csv", data, "text/csv")},
    )
    assert same.status_code == 200 and "совпадает байт в байт" in same.text
    changed = auditor.post(
        "/staff/audit/reproduce",
        {},
        files={"manifest": ("m.json", manifest, "application/json"), "report": ("r.csv", data + b"1", "text/csv")},
    )
    assert "Отчёт НЕ совпадает" in changed.text
    junk = auditor.post("/staff/audit/reproduce", {}, files={"manifest": ("m.json", b"{}", "application/json")})
    assert junk.status_code == 422 and "не манифест" in junk.text


# -- every route x every role --------------------------------------------------------------------

_READ_ROUTES = {
    "/staff/approvals": ("admin", "municipal", "auditor"),
    "/staff/approvals.xlsx": ("admin", "municipal", "auditor"),
    "/staff/organizations/status": ("admin", "municipal", "auditor"),
    "/staff/organizations/status.xlsx": ("admin", "municipal", "auditor"),
    "/staff/reports": ("admin", "municipal", "auditor"),
    "/staff/reports/dynamics.csv": ("admin", "municipal", "auditor"),
    "/staff/reports/manifest.csv.json": ("admin", "municipal", "auditor"),
    "/staff/audit/log": ("admin", "auditor"),
    "/staff/audit/log.xlsx": ("admin", "auditor"),
    "/staff/audit/records": ("admin", "auditor"),
    "/staff/audit/records/{mentor}": ("admin", "auditor"),
    "/staff/audit/records/{mentor}/history.xlsx": ("admin", "auditor"),
    "/staff/audit/verification": ("admin", "auditor"),
    "/staff/audit/reproduce": ("admin", "auditor"),
}
_WRITE_ROUTES = {
    "/staff/approvals/confirm": ("admin",),
    "/staff/approvals/approve": ("admin",),
    "/staff/approvals/reject": ("admin",),
    "/staff/audit/verification": ("admin", "auditor"),
}


def test_every_route_answers_each_role_as_its_scope_allows(world: OversightWorld) -> None:
    mentor = world.mentor(world.org_far, approve=False)
    for path, allowed in _READ_ROUTES.items():
        url = path.format(mentor=mentor)
        for role in ("admin", "municipal", "curator", "curator_other", "auditor"):
            status = world.person(role).get(url).status_code
            assert status == (200 if role in allowed else 403), (url, role, status)
        anonymous = world.client.get(url, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/staff/login")
    for path, allowed in _WRITE_ROUTES.items():
        for role in ("municipal", "curator", "curator_other", "auditor"):
            if role in allowed:
                continue
            answer = world.person(role).post(
                path, {"mentor_id": [mentor], "effective_date": "15.09.2020", "reason": "так"}
            )
            assert answer.status_code == 403, (path, role)
    assert _events(world, mentor) == ["Mentor.Applied"]
    for role in ("admin", "municipal", "curator", "auditor"):  # the navigation's «Аудит»
        answer = world.person(role).get("/staff/audit")
        assert answer.status_code == (303 if role in ("admin", "auditor") else 403), role
