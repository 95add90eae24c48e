"""As known vs as effective: a 2020 pair recorded after the "known at" moment is excluded from the
2020 indicator as known then, included as effective, and listed as a late entry (who, when);
corrections in between are listed with their reasons."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.world import ADMIN, TODAY, person
from typer.testing import CliRunner

from ops.cli import app as reestr
from projections.as_known import (
    changes_between,
    effective_date,
    known_at_position,
    moment_text,
    parse_moment,
)
from projections.facts import load_facts
from projections.manifest import dynamics_parameters, dynamics_report_at
from projections.periods import Period
from projections.projector import project_until
from projections.report import dynamics_report
from registry import commands as c
from registry.application import Registry
from registry.values import Actor, Role

Y2020, Y2021 = Period.calendar_year(2020), Period.calendar_year(2021)
CURATOR = Actor(user_id="curator-7", role=Role.ADMIN)


def _pause() -> datetime:
    """A real moment strictly between the events recorded before and after it."""
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)
    return moment


def record_story(registry: Registry) -> dict[str, Any]:
    """Up to `known`: a school with 2020 contingent and a mentor, no pair. After it: a 2020 pair
    (a late entry), its start corrected, and the 2020 contingent corrected."""
    def run(command: c.Command, actor: Actor = ADMIN) -> Any:
        return registry.execute(command, actor).aggregate_id

    municipality = run(c.RegisterMunicipality(name="Район", region="Край"))
    school = run(c.RegisterOrganization(name="Школа", kind="school", municipality_id=municipality,
                                        registered_on=date(2019, 1, 1)))
    run(c.ReportContingent(organization_id=school, year=2020, figures=c.ContingentIn(
        students_total=100, students_10_19=10, students_15_19=4, teachers_total=20, young_teachers=2)))
    mentor = run(c.SubmitMentorApplication(
        organization_id=school, person=person("Наставник"), applied_on=date(2020, 1, 1),
        profile=c.MentorProfileIn(position="учитель", mentor_type="teacher")))
    run(c.ApproveMentor(mentor_id=mentor, effective_date=date(2020, 1, 2)))
    mentee = run(c.RegisterMentee(organization_id=school, category="pupil", person=person("Ученик"),
                                  birth_year=2008, registered_on=date(2020, 1, 1)))
    before = registry.position()
    known = _pause()  # "15 January 2021": what the report sent then said
    pair = run(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[mentee], form="pupil_pupil",
                          started_on=date(2020, 3, 1)), CURATOR)  # "recorded in February 2021"
    formed_at = registry.position()
    run(c.CorrectPairStart(pair_id=pair, started_on=date(2020, 2, 1), reason="дата по приказу"), CURATOR)
    run(c.CorrectContingent(organization_id=school, year=2020, reason="уточнены данные ОО-1",
                            figures=c.ContingentIn(students_total=100, students_10_19=8, students_15_19=4,
                                                   teachers_total=20, young_teachers=2)))
    return {"school": school, "pair": pair, "before": before, "known": known, "formed_at": formed_at}


def _region(report: dict[str, Any], side: str = "a") -> dict[str, Any]:
    rows = report["indicators"][0]["rows"]
    return next(r for r in rows if r["unit_kind"] == "region")[side]


def test_known_vs_effective_on_each_store(registry: Registry) -> None:
    story = record_story(registry)
    head = registry.position()
    known_position = known_at_position(registry, story["known"])
    assert known_position == story["before"]
    assert known_at_position(registry, datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert known_at_position(registry, datetime.now(UTC) + timedelta(days=1)) == head
    assert known_at_position(registry, datetime.now(UTC), upto=story["formed_at"]) == story["formed_at"]

    known_store = project_until(registry, known_position)
    effective_store = project_until(registry, head)
    try:
        known = dynamics_report(load_facts(known_store), Y2020, Y2021)
        effective = dynamics_report(load_facts(effective_store), Y2020, Y2021)
    finally:
        known_store.close()
        effective_store.close()
    # As known then: no pair in 2020; as effective: the pair counts, over the corrected contingent.
    assert (_region(known)["numerator"], _region(known)["denominator"], _region(known)["share"]) == (0, 10, 0)
    assert (_region(effective)["numerator"], _region(effective)["denominator"]) == (1, 8)
    assert _region(effective)["share"] == 12.5

    changes = changes_between(registry, known_position, head, [Y2020, Y2021])
    assert [(ch["kind"], ch["event_type"]) for ch in changes] == [
        ("late_entry", "Pair.Formed"),
        ("correction", "Pair.StartCorrected"),
        ("correction", "Organization.ContingentCorrected"),
    ]
    late, start, contingent = changes
    assert late["aggregate_id"] == str(story["pair"]) and late["position"] == story["formed_at"]
    assert late["recorded_by"] == "curator-7" and late["role"] == "admin"
    assert late["effective_date"] == "2020-03-01" and late["periods"] == ["2020"]
    assert parse_moment(late["recorded_at"]) > story["known"]
    assert start["reason"] == "дата по приказу" and start["effective_date"] == "2020-02-01"
    assert start["corrects_version"] == 1
    assert contingent["reason"] == "уточнены данные ОО-1" and contingent["periods"] == ["2020"]
    assert contingent["recorded_by"] == "admin"
    # Nothing changed between the known position and itself.
    assert changes_between(registry, known_position, known_position, [Y2020]) == []


def test_report_with_as_known_section_is_reproducible(registry: Registry) -> None:
    story = record_story(registry)
    head = registry.position()
    parameters = dynamics_parameters(from_period="2020", to_period="2021", school_year=False, unit=None,
                                     fmt="json", compare_known_at=moment_text(story["known"]))
    report = dynamics_report_at(registry, parameters, head)
    section = report["as_known"]
    assert section["known_position"] == story["before"] and section["effective_position"] == head
    first = section["indicators"][0]
    region = next(r for r in first["rows"] if r["unit_kind"] == "region")
    assert region["a"]["known"]["numerator"] == 0 and region["a"]["effective"]["numerator"] == 1
    assert region["changed"] is True
    assert section["changes"][0]["event_type"] == "Pair.Formed"
    again = dynamics_report_at(registry, dict(parameters, compare_position=story["before"]), head)
    assert json.dumps(again, ensure_ascii=False) == json.dumps(report, ensure_ascii=False)


def test_parse_moment_and_effective_dates() -> None:
    assert parse_moment("2021-01-15") == datetime(2021, 1, 15, 23, 59, 59, 999999, tzinfo=UTC)
    assert parse_moment("2021-01-15T12:00:00+03:00") == datetime(2021, 1, 15, 9, tzinfo=UTC)
    assert parse_moment("2021-01-15T09:00:00Z") == datetime(2021, 1, 15, 9, tzinfo=UTC)
    assert parse_moment("2021-01-15T09:00:00") == datetime(2021, 1, 15, 9, tzinfo=UTC)
    assert moment_text(datetime(2021, 1, 15, 9, tzinfo=UTC)) == "2021-01-15T09:00:00Z"
    with pytest.raises(ValueError, match="не распознан"):
        parse_moment("15.01.2021")

    class Event:
        started_on = date(2020, 3, 1)

    assert effective_date(Event()) == date(2020, 3, 1)
    assert effective_date(object()) is None


def test_cli_known_at_and_compare(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    from ops.storage import open_registry

    registry = open_registry(url, clock=lambda: TODAY)
    try:
        story = record_story(registry)
        head = registry.position()
    finally:
        registry.close()
    env = {"REESTR_DATABASE_URL": url, "REESTR_LOG_LEVEL": "warning"}
    runner = CliRunner()
    moment = moment_text(story["known"])

    at = tmp_path / "known.json"
    result = runner.invoke(reestr, ["report", "dynamics", "--known-at", moment, "-o", str(at)], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(at.read_text())
    assert data["position"] == story["before"] and data["known_at"] == moment
    assert _region(data)["numerator"] == 0

    both = tmp_path / "both.json"
    manifest = tmp_path / "both.manifest.json"
    result = runner.invoke(reestr, ["report", "dynamics", "--compare-known-at", moment, "-o", str(both),
                                 "--manifest", str(manifest)], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(both.read_text())
    assert data["position"] == head and "known_at" not in data
    assert data["as_known"]["known_position"] == story["before"]
    assert [ch["kind"] for ch in data["as_known"]["changes"]] == ["late_entry", "correction", "correction"]
    parameters = json.loads(manifest.read_text())["parameters"]
    assert parameters["compare_known_at"] == moment and parameters["compare_position"] == story["before"]
    assert runner.invoke(reestr, ["report", "reproduce", str(manifest)], env=env).exit_code == 0

    page = tmp_path / "both.html"
    result = runner.invoke(reestr, ["report", "dynamics", "--compare-known-at", moment, "-o", str(page)], env=env)
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert "Как было известно и как действует" in html
    assert "позднее внесение" in html and "curator-7" in html and "дата по приказу" in html

    refused = runner.invoke(reestr, ["report", "dynamics", "--compare-known-at", moment, "-o",
                                  str(tmp_path / "x.csv")], env=env)
    assert refused.exit_code == 2
    both_ways = runner.invoke(reestr, ["report", "dynamics", "--known-at", moment, "--position", "3", "-o",
                                    str(tmp_path / "y.json")], env=env)
    assert both_ways.exit_code == 2
    garbled = runner.invoke(reestr, ["report", "dynamics", "--known-at", "вчера", "-o", str(tmp_path / "z.json")],
                            env=env)
    assert garbled.exit_code == 2
