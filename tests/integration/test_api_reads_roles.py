"""Every read route × every reading scope, over HTTP, on both stores: who sees what.

The expectations are the policy as the domain brief states it, written out in `SEES` (see
tests/support/api_reads.py), not derived from the code under test: admin and auditor read
everything; a municipal coordinator its municipality; a curator its own organization, and of
other organizations' mentors only what the public page shows. Mentees are never public.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.api_reads import CURATORS, READERS, SEES, ReadRegion, open_region
from support.stores import STORES

#: list route -> the key of its items' organization
OWNED = {
    "/mentees": "organization_id",
    "/pairs": "organization_id",
    "/programs": "organization_id",
    "/organizations": "id",
}


@pytest.fixture(scope="module", params=STORES)
def region(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadRegion]:
    """The read region on each store, shared by this module's tests (they only read)."""
    yield from open_region(request, tmp_path_factory)


def _ids(response: object) -> set[str]:
    return {item["id"] for item in response.json()["items"]}  # type: ignore[attr-defined]


def _position(region: ReadRegion, response: object) -> int:
    header = int(response.headers["X-Log-Position"])  # type: ignore[attr-defined]
    assert 0 < header <= region.world.position()
    return header


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("path", list(OWNED))
def test_lists_show_exactly_the_readers_organizations(region: ReadRegion, path: str, role: str) -> None:
    kind = path.strip("/")
    response = region.get(path, as_=role)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["position"] == _position(region, response)
    assert _ids(response) == {region.ids[kind][school] for school in SEES[role]}
    orgs = {item[OWNED[path]] for item in body["items"]}
    assert orgs == {region.org[school] for school in SEES[role]}
    assert body["total"] == len(body["items"])


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("kind", ["mentees", "pairs", "programs", "organizations"])
def test_single_things_outside_the_scope_are_not_shown(region: ReadRegion, kind: str, role: str) -> None:
    for school, thing in region.ids[kind].items():
        response = region.get(f"/{kind}/{thing}", as_=role)
        if school in SEES[role]:
            assert response.status_code == 200, (school, response.text)
            body = response.json()
            assert body["item"]["id"] == thing
            assert body["position"] == _position(region, response)
        else:
            # Organizations are not secret (403); people, pairs, programs: as if unknown (404).
            expected = 403 if kind == "organizations" else 404
            assert response.status_code == expected, (school, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            if kind == "mentees":
                assert "Сидоров" not in response.text


@pytest.mark.parametrize("role", READERS)
def test_mentors_full_in_scope_and_only_public_entries_elsewhere(region: ReadRegion, role: str) -> None:
    response = region.get("/mentors", as_=role)
    assert response.status_code == 200, response.text
    items = {item["id"]: item for item in response.json()["items"]}
    full = {i for i, item in items.items() if item["visibility"] == "full"}
    public = {i for i, item in items.items() if item["visibility"] == "public"}
    assert full == region.mentors_of(SEES[role])
    if role in CURATORS:
        assert public == region.public_mentors - full
    else:
        assert public == set()
    for mentor_id in public:
        entry = items[mentor_id]
        name = next(n for n, m in region.mentor_ids.items() if m == mentor_id)
        consented = set(region.mentors[name][1])
        shown = {k for k, v in entry.items() if v is not None} - {"id", "visibility", "status"}
        expected = {
            {"name": "full_name", "training": "trainings"}.get(field, field) for field in consented
        }
        assert shown == expected, (name, entry)
        assert entry["status"] == "active"
        for hidden in ("consent_fields", "position", "employer", "capacity", "status_reason", "applied_on"):
            assert entry[hidden] is None
    for mentor_id in full:
        assert items[mentor_id]["consent_fields"] is not None and items[mentor_id]["trainings"] is not None


@pytest.mark.parametrize("role", READERS)
def test_a_mentor_by_id_full_public_or_not_found(region: ReadRegion, role: str) -> None:
    for name, mentor_id in region.mentor_ids.items():
        school = region.mentors[name][0]
        response = region.get(f"/mentors/{mentor_id}", as_=role)
        if school in SEES[role]:
            assert response.status_code == 200, response.text
            assert response.json()["item"]["visibility"] == "full"
            assert response.json()["item"]["full_name"].startswith("Иванова")
        elif role in CURATORS and mentor_id in region.public_mentors:
            assert response.status_code == 200, response.text
            assert response.json()["item"]["visibility"] == "public"
        else:
            assert response.status_code == 404, (name, response.text)
            assert "Иванова" not in response.text


@pytest.mark.parametrize("role", CURATORS)
def test_a_curators_filters_reach_only_what_other_mentors_show(region: ReadRegion, role: str) -> None:
    """Filtering by organization, municipality or form must not reveal an unconsented field."""
    m = region.mentor_ids
    own = region.mentors_of(SEES[role])
    by_org = _ids(region.get("/mentors", as_=role, organization_id=region.org["a"]))
    # a_public consented to show its organization; b_public (name only) cannot be found by it
    assert by_org == ({m["a_public"]} | ({m["a_private"], m["a_pending"]} if "a" in SEES[role] else set()))
    by_b = _ids(region.get("/mentors", as_=role, organization_id=region.org["b"]))
    assert by_b == (own if "b" in SEES[role] else set())
    by_m2 = _ids(region.get("/mentors", as_=role, municipality_id=region.m2))
    assert by_m2 == {m["c_public"]}  # consented to show its municipality
    by_m1 = _ids(region.get("/mentors", as_=role, municipality_id=region.m1))
    assert by_m1 == own - {m["c_public"]}
    by_form = _ids(region.get("/mentors", as_=role, form="pupil_pupil"))
    assert by_form == own | {m["a_public"]}  # only a_public consented to show its forms
    pending = _ids(region.get("/mentors", as_=role, status="pending"))
    assert pending == ({m["a_pending"]} if "a" in SEES[role] else set())


@pytest.mark.parametrize("role", READERS)
def test_municipalities_and_checklists_in_scope(region: ReadRegion, role: str) -> None:
    municipalities = region.get("/municipalities", as_=role)
    assert municipalities.status_code == 200
    assert {m["id"] for m in municipalities.json()["items"]} == {
        region.municipality_of[school] for school in SEES[role]
    }
    checklists = region.get("/checklists", as_=role).json()
    assert {o["organization_id"] for o in checklists["organizations"]} == {
        region.org[school] for school in SEES[role]
    }
    first = next(i for i in checklists["items"] if i["item"] == "curator_appointed")
    assert first["done"] == len(SEES[role])


#: unit -> the readers who may read its indicators and its dynamics report
UNIT_READERS = {
    "region": {"admin", "auditor"},
    "m1": {"admin", "auditor", "municipal"},
    "m2": {"admin", "auditor", "municipal_other"},
    "a": {"admin", "auditor", "municipal", "curator"},
    "c": {"admin", "auditor", "municipal_other", "curator_c"},
}


def _unit(region: ReadRegion, key: str) -> str:
    if key == "region":
        return "region"
    if key in ("m1", "m2"):
        return f"municipality:{getattr(region, key)}"
    return f"organization:{region.org[key]}"


@pytest.mark.parametrize("role", READERS)
def test_indicators_and_reports_only_for_units_in_scope(region: ReadRegion, role: str) -> None:
    for key, readers in UNIT_READERS.items():
        unit = _unit(region, key)
        for path in ("/indicators", "/reports/dynamics"):
            response = region.get(path, as_=role, unit=unit)
            expected = 200 if role in readers else 403
            assert response.status_code == expected, (key, path, response.text)
            if expected == 200:
                _position(region, response)
            else:
                assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("role", READERS)
def test_the_default_unit_is_the_readers_own(region: ReadRegion, role: str) -> None:
    unit = region.get("/indicators", as_=role).json()["unit"]
    scope = region.get("/reports/dynamics", as_=role).json()["scope"]
    if role in ("admin", "auditor"):
        assert unit["kind"] == "region" and scope is None
    elif role.startswith("municipal"):
        expected = region.m1 if role == "municipal" else region.m2
        assert unit == {**unit, "kind": "municipality", "id": expected}
        assert scope["kind"] == "municipality" and scope["id"] == expected
    else:
        school = next(iter(SEES[role]))
        assert unit["kind"] == "organization" and unit["id"] == region.org[school]
        assert scope["kind"] == "organization" and scope["id"] == region.org[school]


@pytest.mark.parametrize(
    "path",
    ["/mentors", "/mentees", "/pairs", "/programs", "/organizations", "/checklists", "/municipalities",
     "/indicators", "/reports/dynamics"],
)
def test_reads_need_a_valid_token(region: ReadRegion, path: str) -> None:
    for token in (None, "rst_not-a-token"):
        response = region.get(path, as_=token)
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "unauthorized"
