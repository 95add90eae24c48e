"""The as-known report over HTTP, on both stores: `known_at` and `position` on /reports/dynamics,
the manifest of the very bytes served (/reports/dynamics/manifest), and /reports/reproduce — as
`reestr report dynamics --known-at/--position --manifest` and `reestr report reproduce` do."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from support.world.api import ApiWorld

from projections.as_known import moment_text, parse_moment

FIGURES = {"students_10_19": 400, "students_15_19": 150, "young_teachers": 8}


@pytest.fixture
def world(registry) -> Iterator[ApiWorld]:  # type: ignore[no-untyped-def]
    w = ApiWorld(registry)
    mentor = w.mentor(w.org_a)
    w.pair(w.org_a, mentor, [w.mentee(w.org_a)])
    for year in (2020, 2021):
        w.write(f"/organizations/{w.org_a}/contingents", {"year": year, "figures": FIGURES})
    yield w
    w.close()


def known_at_text(moment: str) -> str:
    return moment_text(parse_moment(moment))


def _report(world: ApiWorld, as_: str = "auditor", **params) -> bytes:  # type: ignore[no-untyped-def]
    response = world.get("/reports/dynamics", as_=as_, format="json", **params)
    assert response.status_code == 200, response.text
    return response.content


def test_a_report_as_known_then_is_the_report_at_that_position_and_reproduces(world: ApiWorld) -> None:
    sent_at = world.registry.position()
    moment = datetime.now(UTC).isoformat()
    world.write(f"/organizations/{world.org_a}/contingents/2021/correct",
                {"figures": {**FIGURES, "students_10_19": 500}, "reason": "Уточнено по ОО-1"})

    then = _report(world, position=sent_at)
    known = json.loads(_report(world, known_at=moment))
    assert known.pop("known_at") == known_at_text(moment)  # the report says as known when
    assert known == json.loads(then)
    assert _report(world) != then  # the correction came after
    response = world.get("/reports/dynamics", format="json", position=sent_at)
    assert response.headers["X-Log-Position"] == str(sent_at)

    manifest = world.get("/reports/dynamics/manifest", format="json", position=sent_at).json()
    assert manifest["position"] == sent_at
    assert manifest["output"]["sha256"] == hashlib.sha256(then).hexdigest()
    assert manifest["parameters"]["change_basis"] == "comparable"

    outcome = world.post("/reports/reproduce", manifest, as_="auditor")
    assert outcome.status_code == 200, outcome.text
    assert outcome.json()["identical"] is True and outcome.json()["problems"] == []

    as_known = world.get("/reports/dynamics/manifest", format="json", known_at=moment).json()
    assert as_known["parameters"]["known_at"] == known_at_text(moment) and as_known["position"] == sent_at
    assert world.post("/reports/reproduce", as_known, as_="auditor").json()["identical"] is True

    doctored = {**manifest, "output": {**manifest["output"], "sha256": "0" * 64}}
    refused = world.post("/reports/reproduce", doctored, as_="admin").json()
    assert refused["identical"] is False and "отличается" in refused["problems"][0]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "html"])
def test_the_manifest_of_the_current_report_names_the_bytes_served(world: ApiWorld, fmt: str) -> None:
    served = world.get("/reports/dynamics", format=fmt)
    manifest = world.get("/reports/dynamics/manifest", format=fmt).json()

    assert manifest["output"]["sha256"] == hashlib.sha256(served.content).hexdigest()
    assert manifest["position"] == int(served.headers["X-Log-Position"])
    assert world.post("/reports/reproduce", manifest, as_="auditor").json()["identical"] is True


def test_a_coordinator_downloads_the_manifest_of_their_municipality(world: ApiWorld) -> None:
    manifest = world.get("/reports/dynamics/manifest", as_="municipal", format="json").json()
    assert manifest["parameters"]["unit"] == f"municipality:{world.municipality_id}"
    assert manifest["output"]["sha256"] == hashlib.sha256(_report(world, as_="municipal")).hexdigest()


@pytest.mark.parametrize("role", ["curator", "municipal"])
def test_reproduction_is_for_admin_and_auditor_only(world: ApiWorld, role: str) -> None:
    manifest = world.get("/reports/dynamics/manifest", format="json").json()

    assert world.post("/reports/reproduce", manifest, as_=role).status_code == 403


def test_a_position_not_yet_recorded_or_two_moments_at_once_are_refused(world: ApiWorld) -> None:
    ahead = world.get("/reports/dynamics", format="json", position=world.registry.position() + 100)
    both = world.get("/reports/dynamics", format="json", position=1, known_at="2021-01-01")
    malformed = world.post("/reports/reproduce", {"report": "dynamics"}, as_="auditor")

    assert ahead.status_code == 404 and "ещё не записана" in ahead.json()["detail"]
    assert both.status_code == 422 and malformed.status_code == 422
