"""The dynamics report in every format: same numbers everywhere, byte-for-byte reproducible at a
log position, offline HTML with SVG charts, missing contingents shown as missing (never 0 %),
and the `report dynamics` command."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from support.stores import fresh_registry
from support.world import ADMIN, person
from support.world.indicators import build_scenario
from typer.testing import CliRunner

from ops.cli import app as reestr
from projections.facts import load_facts
from projections.formats import render
from projections.periods import Period
from projections.projector import Projector, project_until, rebuild
from projections.report import dynamics_report
from projections.store import open_view_store
from registry import commands as c

Y2020, Y2021 = Period.calendar_year(2020), Period.calendar_year(2021)


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp("report")
    with fresh_registry("sqlite", directory) as registry:
        ids = build_scenario(registry)
        store = open_view_store(registry)
        Projector(registry, store).catch_up()
        report = dynamics_report(load_facts(store), Y2020, Y2021)
        yield registry, store, ids, report, directory


def test_every_format_is_deterministic_and_reproducible_at_its_position(built) -> None:  # type: ignore[no-untyped-def]
    registry, store, ids, report, _ = built
    position = registry.position()
    first = {fmt: render(report, fmt) for fmt in ("json", "csv", "xlsx", "html")}
    again = dynamics_report(load_facts(store), Y2020, Y2021)
    assert {fmt: render(again, fmt) for fmt in first} == first
    rebuild(registry, store, batch_size=7)
    rebuilt = dynamics_report(load_facts(store), Y2020, Y2021)
    assert {fmt: render(rebuilt, fmt) for fmt in first} == first

    # Later events change the live report, but the report at the old position is the same bytes.
    registry.execute(c.RegisterMentee(organization_id=ids["S1"], category="pupil", person=person("Новый"),
                                      birth_year=2008, registered_on=date(2021, 9, 1)), ADMIN)
    assert registry.position() > position
    throwaway = project_until(registry, position)
    try:
        as_known = dynamics_report(load_facts(throwaway), Y2020, Y2021)
    finally:
        throwaway.close()
    assert {fmt: render(as_known, fmt) for fmt in first} == first
    with zipfile.ZipFile(io.BytesIO(first["xlsx"])) as archive:
        core = archive.read("docProps/core.xml").decode()
        assert "2020-01-01T00:00:00Z" in core
        assert {info.date_time for info in archive.infolist()} == {(2020, 1, 1, 0, 0, 0)}


def test_json_states_position_and_periods(built) -> None:  # type: ignore[no-untyped-def]
    registry, _, _, report, _ = built
    data = json.loads(render(report, "json"))
    assert data["position"] == report["position"] <= registry.position()
    assert data["periods"]["a"]["reference_date"] == "2020-12-31"
    assert [i["id"] for i in data["indicators"]] == ["pupils_10_19", "pupils_15_19", "young_teachers", "extra_ed"]


def test_xlsx_holds_the_same_numbers_as_the_json(built) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report, _ = built
    data = json.loads(render(report, "json"))
    workbook = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    assert workbook.sheetnames[0] == "Справка"
    assert workbook["Справка"]["B2"].value == data["position"]
    for indicator in data["indicators"]:
        sheet = workbook[indicator["short_title"]]
        header = [cell.value for cell in sheet[4]]
        assert header[:4] == ["Уровень", "Единица", "Муниципалитет", "Место"]
        assert "2020: доля, %" in header and "Изменение, п.п." in header
        rows = list(sheet.iter_rows(min_row=5, values_only=True))
        assert len(rows) == len(indicator["rows"])
        for values, expected in zip(rows, indicator["rows"], strict=True):
            cells = dict(zip(header, values, strict=True))
            assert cells["Единица"] == expected["unit_name"]
            assert cells["Код единицы"] == expected["unit_id"]
            for side, key in (("a", "2020"), ("b", "2021")):
                assert cells[f"{key}: охвачено"] == expected[side]["numerator"]
                assert cells[f"{key}: контингент"] == expected[side]["denominator"]
                assert cells[f"{key}: доля, %"] == expected[side]["share"]
                assert cells[f"{key}: цель, %"] == expected[side]["target"]
            assert cells["Изменение, п.п."] == expected["change_pp"]
            for name in ("2020: охвачено", "2020: доля, %", "Изменение, п.п."):
                assert cells[name] is None or isinstance(cells[name], int | float)
    counts = workbook["Показатели деятельности"]
    first = [cell.value for cell in counts[5]]
    assert first[:2] == ["регион", "Край"]
    assert first[3] == data["counts"][0]["a"]["mentors_in_registry"]


def test_csv_rows_match_the_json(built) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report, _ = built
    data = json.loads(render(report, "json"))
    rows = list(csv.DictReader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))
    assert len(rows) == sum(len(i["rows"]) for i in data["indicators"])
    assert {row["position"] for row in rows} == {str(data["position"])}
    region = next(r for r in rows if r["indicator"] == "pupils_10_19" and r["unit_kind"] == "region")
    assert (region["a_share"], region["b_share"], region["change_pp"], region["declined"]) == (
        "16.67", "13.64", "-3.03", "true")


def test_html_is_russian_standalone_with_svg_charts(built) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report, _ = built
    html = render(report, "html").decode("utf-8")
    assert '<html lang="ru">' in html
    assert html.count("<svg") == len(report["indicators"])
    assert "Северный район" in html and "Позиция журнала событий" in html
    assert f'content="{report["position"]}"' in html
    assert "<script" not in html and 'src="http' not in html and 'href="http' not in html
    assert "снижение" in html


def test_missing_contingent_is_missing_never_zero(tmp_path: Path) -> None:
    with fresh_registry("sqlite", tmp_path) as registry:
        def run(command: c.Command):  # type: ignore[no-untyped-def]
            return registry.execute(command, ADMIN).aggregate_id

        municipality = run(c.RegisterMunicipality(name="Район", region="Край"))
        reported = run(c.RegisterOrganization(name="Школа с данными", kind="school", municipality_id=municipality,
                                              registered_on=date(2019, 1, 1)))
        silent = run(c.RegisterOrganization(name="Школа без данных", kind="school", municipality_id=municipality,
                                            registered_on=date(2019, 1, 1)))
        extra = run(c.RegisterOrganization(name="Дом творчества", kind="extra", municipality_id=municipality,
                                           registered_on=date(2019, 1, 1)))
        run(c.ReportContingent(organization_id=reported, year=2021, figures=c.ContingentIn(students_10_19=10)))
        run(c.ReportContingent(organization_id=extra, year=2021, figures=c.ContingentIn(students_extra=4)))
        mentor = run(c.SubmitMentorApplication(
            organization_id=reported, person=person("Наставник"), applied_on=date(2020, 1, 1),
            profile=c.MentorProfileIn(position="учитель", mentor_type="teacher")))
        run(c.ApproveMentor(mentor_id=mentor, effective_date=date(2020, 1, 2)))
        for org in (reported, silent, extra):
            mentee = run(c.RegisterMentee(organization_id=org, category="pupil", person=person("Ученик"),
                                          birth_year=2008, registered_on=date(2020, 1, 1)))
            run(c.FormPair(organization_id=org, mentor_id=mentor, mentee_ids=[mentee], form="pupil_pupil",
                           started_on=date(2021, 3, 1)))
        store = open_view_store(registry)
        Projector(registry, store).catch_up()
        report = dynamics_report(load_facts(store), Y2020, Y2021)
    rows = {(r["unit_kind"], r["unit_name"]): r for r in report["indicators"][0]["rows"]}
    region = rows[("region", "Край")]
    assert region["a"]["status"] == "missing" and region["a"]["share"] is None  # no 2020 figures at all
    assert region["a"]["denominator"] is None
    # 2021: one school reported, one did not: share over the reporting one, flagged
    assert (region["b"]["numerator"], region["b"]["denominator"], region["b"]["share"]) == (1, 10, 10)
    assert region["b"]["status"] == "partial" and region["b"]["numerator_without_contingent"] == 1
    assert region["missing_data"] is True and region["change_pp"] is None and region["declined"] is False
    assert rows[("organization", "Школа без данных")]["b"]["share"] is None
    extra_ed = {(r["unit_kind"], r["unit_name"]): r for r in report["indicators"][3]["rows"]}
    assert extra_ed[("organization", "Дом творчества")]["b"]["share"] == 25
    assert ("organization", "Школа с данными") not in extra_ed  # not an extra-education organization
    workbook = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = workbook[report["indicators"][0]["short_title"]]
    header = [cell.value for cell in sheet[4]]
    silent_row = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if r[1] == "Школа без данных")
    assert silent_row[header.index("2021: доля, %")] is None
    assert silent_row[header.index("Нет данных о контингенте")] == "да"
    assert "нет данных" in render(report, "html").decode()


def test_report_dynamics_command(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry, _, ids, _, directory = built
    url = f"sqlite:///{next(directory.glob('*.sqlite3'))}"
    runner = CliRunner()
    env = {"REESTR_DATABASE_URL": url, "REESTR_LOG_LEVEL": "warning"}
    out = tmp_path / "dynamics.xlsx"
    result = runner.invoke(reestr, ["report", "dynamics", "--from", "2020", "--to", "2021", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert f"позиция журнала {registry.position()}" in " ".join(result.output.split())
    assert openpyxl.load_workbook(out).sheetnames[1] == "Обучающиеся 10–19 лет"
    school = tmp_path / "school.json"
    result = runner.invoke(reestr, ["report", "dynamics", "--school-year", "--unit", f"municipality:{ids['M1']}",
                                 "--format", "json", "-o", str(school)], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(school.read_text())
    assert data["periods"]["b"]["key"] == "2021/22" and data["scope"]["name"] == "Северный район"
    assert [r["unit_kind"] for r in data["indicators"][0]["rows"]] == ["municipality", "organization"]
    at = tmp_path / "at.json"
    result = runner.invoke(reestr, ["report", "dynamics", "--position", "60", "-o", str(at)], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(at.read_text())["position"] == 60
    bad = runner.invoke(reestr, ["report", "dynamics", "--unit", "нет такой", "-o", str(at)], env=env)
    assert bad.exit_code == 2 and "не найдена" in bad.output
