"""The region is a unit with its code and name («Хабаровский край», 27), renamable; the report
prints its name where municipalities name it by code; targets set for the code apply to it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from support.world import Region

from projections.facts import load_facts
from projections.formats import render
from projections.periods import Period
from projections.projector import project_until
from projections.report import dynamics_report
from registry import commands as c
from registry.errors import NotFound, RuleViolation
from registry.regions import Region as RegionUnit
from registry.regions import region_id

Y2020, Y2021 = Period.calendar_year(2020), Period.calendar_year(2021)


@pytest.fixture
def region(registry) -> Region:  # both stores
    return Region(registry)


def _report(region: Region, position: int | None = None) -> dict:  # type: ignore[type-arg]
    store = project_until(region.registry, position or region.registry.position())
    try:
        return dynamics_report(load_facts(store, [Y2020, Y2021]), Y2020, Y2021)
    finally:
        store.close()


def test_the_report_prints_the_regions_name_and_its_rename(region):
    region.run(c.RegisterRegion(code="27", name="Хабаровский край"))
    region.municipality("Хабаровский муниципальный район", region="27")
    region.run(c.SetTarget(indicator="pupils_10_19", unit_kind="region", unit_id="27", year=2021,
                           share_percent=Decimal(35)))
    named = region.registry.position()

    region.run(c.RenameRegion(code="27", name="Хабаровский край (субъект РФ)", reason="Уточнено по уставу"))

    before, after = _report(region, named), _report(region)
    row = before["indicators"][0]["rows"][0]
    assert (row["unit_kind"], row["unit_id"], row["unit_name"]) == ("region", "27", "Хабаровский край")
    assert row["b"]["target"] == 35 and row["b"]["target_source"] == "region"
    assert after["indicators"][0]["rows"][0]["unit_name"] == "Хабаровский край (субъект РФ)"
    assert region.get(RegionUnit, region_id("27")).name == "Хабаровский край (субъект РФ)"
    assert region.events(region_id("27")) == ["Registered", "Renamed"]


def test_a_region_code_is_registered_once_and_renamed_only_if_it_exists(region):
    region.run(c.RegisterRegion(code="27", name="Хабаровский край"))

    twice = region.refuse(c.RegisterRegion(code="27", name="Другой"), expect=RuleViolation)
    missing = region.refuse(c.RenameRegion(code="28", name="Амурская область", reason="Опечатка"), expect=NotFound)

    assert (twice.rule, twice.field) == ("region_unique", "code")
    assert missing.problems[0].field == "code"


def test_municipalities_naming_an_unregistered_region_keep_its_text(region):
    region.municipality(region="Край")

    assert _report(region)["indicators"][0]["rows"][0]["unit_name"] == "Край"


def test_every_format_and_the_scope_print_the_registered_name_not_the_code(region):
    region.run(c.RegisterRegion(code="27", name="Хабаровский край"))
    region.municipality("Хабаровский муниципальный район", region="27")
    store = project_until(region.registry, region.registry.position())
    try:
        facts = load_facts(store, [Y2020, Y2021])
        report = dynamics_report(facts, Y2020, Y2021, scope=facts.find_unit("region:27"))
    finally:
        store.close()

    assert report["scope"] == {"kind": "region", "id": "27", "name": "Хабаровский край"}
    csv_rows = list(csv.reader(io.StringIO(render(report, "csv").decode("utf-8-sig"))))
    assert [r[4] for r in csv_rows if len(r) > 4 and r[2] == "region"][0] == "Хабаровский край"
    sheet = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx"))).worksheets[0]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "регион: Хабаровский край" in cells and "регион: 27" not in cells
    assert "Хабаровский край" in render(report, "html").decode()


def test_a_municipality_naming_an_unregistered_code_says_the_code_plainly(region):
    region.municipality(region="28")

    assert _report(region)["indicators"][0]["rows"][0]["unit_name"] == "код 28, регион не зарегистрирован"
