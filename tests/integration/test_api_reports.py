"""Indicators and the dynamics report over HTTP on both stores: the same numbers as the engine
computes directly, the report in all four formats (by `?format=` or the Accept header) with the
bytes `projections.formats` renders, and refusals as problems."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
import pytest
from support.api_reads import ReadRegion, open_region
from support.stores import STORES

from projections.facts import load_facts
from projections.formats import render
from projections.indicators import INDICATORS, IndicatorEngine
from projections.periods import Period
from projections.report import dynamics_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module", params=STORES)
def region(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadRegion]:
    """The read region on each store, shared by this module's tests (they only read)."""
    yield from open_region(request, tmp_path_factory)


def _unit_text(region: ReadRegion, key: str) -> str:
    return {
        "region": "region",
        "m1": f"municipality:{region.m1}",
        "m2": f"municipality:{region.m2}",
        "a": f"organization:{region.org['a']}",
    }[key]


@pytest.mark.parametrize(
    ("period", "school_year", "expected"),
    [
        ("2021", False, Period.calendar_year(2021)),
        ("2020", False, Period.calendar_year(2020)),
        ("2021", True, Period.school_year(2021)),
        ("2020/21", False, Period.school_year(2020)),
        ("2021-03-01", False, Period.day(__import__("datetime").date(2021, 3, 1))),
    ],
)
def test_indicators_are_the_engines_numbers(
    region: ReadRegion, period: str, school_year: bool, expected: Period
) -> None:
    facts = load_facts(region.world.app.state.views)
    engine = IndicatorEngine(facts)
    for key in ("region", "m1", "m2", "a"):
        text = _unit_text(region, key)
        response = region.get("/indicators", as_="auditor", unit=text, period=period, school_year=school_year)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["position"] == facts.position == int(response.headers["X-Log-Position"])
        assert body["period"] == expected.to_dict()
        unit = facts.find_unit(text)
        assert body["unit"]["id"] == unit.id and body["unit"]["kind"] == unit.kind
        assert [i["id"] for i in body["indicators"]] == list(INDICATORS)
        for item in body["indicators"]:
            direct = engine.value(item["id"], unit, expected).to_dict()
            assert {k: item[k] for k in direct} == direct, (key, item["id"])
    shares = region.get("/indicators", unit=_unit_text(region, "m1"), period="2021").json()["indicators"]
    pupils = next(i for i in shares if i["id"] == "pupils_10_19")
    assert (pupils["numerator"], pupils["denominator"], pupils["share"]) == (2, 800, 0.25)
    only = region.get("/indicators", indicator=["young_teachers", "extra_ed"]).json()["indicators"]
    assert [i["id"] for i in only] == ["young_teachers", "extra_ed"]


def test_indicator_counts_are_in_scope(region: ReadRegion) -> None:
    counts = region.get("/indicators", as_="municipal", period="2021").json()["counts"]
    assert counts["organizations"] == 2 and counts["pairs_active"] == 2 and counts["mentees_involved"] == 2
    assert counts["mentors_in_registry"] == 3 and counts["programs"] == 2 and counts["outputs"] == 2
    region_counts = region.get("/indicators", as_="admin", period="2021").json()["counts"]
    assert region_counts["organizations"] == 3 and region_counts["pairs_active"] == 3


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html"])
@pytest.mark.parametrize("by", ["query", "accept"])
def test_the_report_in_every_format(region: ReadRegion, fmt: str, by: str) -> None:
    facts = load_facts(region.world.app.state.views)
    scope = facts.find_unit(f"municipality:{region.m1}")
    expected = render(
        dynamics_report(facts, Period.calendar_year(2020), Period.calendar_year(2021), scope=scope), fmt
    )
    media = {"json": "application/json", "csv": "text/csv", "xlsx": XLSX, "html": "text/html"}[fmt]
    if by == "query":
        response = region.world.client.get(
            "/api/v1/reports/dynamics",
            params={"format": fmt, "from": "2020", "to": "2021"},
            headers={**region.world.headers("municipal"), "Accept": "application/json" if fmt != "json" else "text/csv"},
        )
    else:
        response = region.world.client.get(
            "/api/v1/reports/dynamics", headers={**region.world.headers("municipal"), "Accept": media}
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert int(response.headers["X-Log-Position"]) == facts.position
    assert response.content == expected, "the bytes `reestr report dynamics` writes at this position"
    disposition = response.headers.get("content-disposition")
    if fmt in ("csv", "xlsx"):
        assert disposition == f'attachment; filename="dynamics_2020_2021_p{facts.position}.{fmt}"'
    if fmt == "json":
        body = response.json()
        assert body["position"] == facts.position and body["scope"]["id"] == region.m1
        organizations = {r["unit_id"] for i in body["indicators"] for r in i["rows"]}
        assert region.org["c"] not in organizations and region.m2 not in organizations
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows and {r["position"] for r in rows} == {str(facts.position)}
        assert region.org["c"] not in {r["unit_id"] for r in rows}
    elif fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames
        cells = [str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c]
        assert any("Район" in c for c in cells)
    else:
        html = response.content.decode("utf-8")
        assert "<svg" in html and f'content="{facts.position}"' in html


def test_report_periods_units_and_negotiation(region: ReadRegion) -> None:
    client, admin = region.world.client, region.world.headers("admin")
    url = "/api/v1/reports/dynamics"

    school = client.get(url, params={"from": "2020", "to": "2021", "school_year": True}, headers=admin).json()
    assert (school["periods"]["a"]["key"], school["periods"]["b"]["key"]) == ("2020/21", "2021/22")
    assert school["scope"] is None  # admin without a unit: every region, as the CLI does
    browser = client.get(url, headers={**admin, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html")
    prefers = client.get(url, headers={**admin, "Accept": "text/html;q=0.5, text/csv"})
    assert prefers.headers["content-type"].startswith("text/csv")
    anything = client.get(url, headers={**admin, "Accept": "*/*"})
    assert anything.headers["content-type"] == "application/json"

    refused = client.get(url, headers={**admin, "Accept": "application/pdf"})
    assert refused.status_code == 406 and refused.json()["code"] == "not_acceptable"
    for params, status, field in (
        ({"from": "2021-02-30"}, 422, "from"),
        ({"to": "2021/23"}, 422, "to"),
        ({"from": "20x1"}, 422, "from"),
        ({"unit": "organization:00000000-0000-0000-0000-000000000000"}, 404, "unit"),
        ({"unit": "region:Атлантида"}, 404, "unit"),
        ({"unit": "school:1"}, 422, "unit"),
    ):
        response = client.get(url, params=params, headers=admin)
        assert response.status_code == status, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == f"query.{field}"
    assert region.get("/indicators", as_="admin", period="2021-13-01").status_code == 422
