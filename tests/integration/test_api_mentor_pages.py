"""A curator's mentors list is paged by the database: its own organization's mentors in full,
then the public entries of other organizations' mentors, one list across pages; filters on a
public entry look only at what its mentor consented to show. Both stores, over HTTP.

The read region (tests/support/api_reads.py): school A (the curator's) has three mentors; of the
other schools' mentors, B's consented to show a name only, C's a name, a municipality, subjects.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.api_reads import ReadRegion, open_region
from support.stores import STORES


@pytest.fixture(scope="module", params=STORES)
def region(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadRegion]:
    """The read region on each store, shared by this module's tests (they only read)."""
    yield from open_region(request, tmp_path_factory)


def test_pages_of_two_make_the_same_list_across_own_mentors_and_public_entries(region: ReadRegion) -> None:
    whole = region.get("/mentors", as_="curator", limit=100).json()
    assert whole["total"] == 5
    assert [item["visibility"] for item in whole["items"]] == ["full", "full", "full", "public", "public"]
    paged = []
    for offset in (0, 2, 4):
        page = region.get("/mentors", as_="curator", limit=2, offset=offset).json()
        assert page["total"] == 5
        paged += page["items"]
    assert paged == whole["items"]
    past_the_end = region.get("/mentors", as_="curator", limit=2, offset=6).json()
    assert past_the_end["total"] == 5 and past_the_end["items"] == []


def test_public_entries_follow_the_curators_own_mentors_by_shown_name(region: ReadRegion) -> None:
    items = region.get("/mentors", as_="curator", limit=100).json()["items"]
    public = [item for item in items if item["visibility"] == "public"]
    assert {item["id"] for item in public} == {region.mentor_ids["b_public"], region.mentor_ids["c_public"]}
    assert [item["full_name"] for item in public] == sorted(item["full_name"] for item in public)


def test_filters_on_public_entries_look_only_at_what_was_consented(region: ReadRegion) -> None:
    in_m2 = region.get("/mentors", as_="curator", municipality_id=region.m2).json()
    assert [item["id"] for item in in_m2["items"]] == [region.mentor_ids["c_public"]]  # C consented to show it
    of_b = region.get("/mentors", as_="curator", organization_id=region.org["b"]).json()
    assert of_b["total"] == 0 and of_b["items"] == []  # B's mentor did not consent to show the organization
    pending = region.get("/mentors", as_="curator", status="pending").json()
    assert [item["id"] for item in pending["items"]] == [region.mentor_ids["a_pending"]]  # no public entries
