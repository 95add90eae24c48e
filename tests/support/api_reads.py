"""A region for the read routes: two municipalities, three schools, a user of every reading scope,
and in every school mentors (public or not), a mentee, a pair, a program with an output, a
contingent and a checklist item. Built once per store and module (reads change nothing).

    M1: school A (curator), school B (curator_other)      municipal coordinator of M1: municipal
    M2: school C (curator_c)                              municipal coordinator of M2: municipal_other
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ops.storage import open_registry
from support.stores import store_location
from support.world import TODAY
from support.world.api import ApiWorld, add_user

#: every reader, and the schools whose things it sees in full (the policy, written out)
SEES: dict[str, set[str]] = {
    "admin": {"a", "b", "c"},
    "auditor": {"a", "b", "c"},
    "municipal": {"a", "b"},
    "municipal_other": {"c"},
    "curator": {"a"},
    "curator_other": {"b"},
    "curator_c": {"c"},
}
READERS = tuple(SEES)
CURATORS = ("curator", "curator_other", "curator_c")

CONTINGENT = {
    "students_total": 600, "students_10_19": 400, "students_15_19": 150, "students_extra": 0,
    "teachers_total": 50, "young_teachers": 8,
}


class ReadRegion:
    """The region over HTTP; `ids[kind][school]` names what was made in each school."""

    def __init__(self, world: ApiWorld):
        self.world = world
        w = world
        self.m1 = w.municipality_id
        self.m2 = w.municipality()
        self.org = {"a": w.org_a, "b": w.org_b}
        self.org["c"] = w.organization("Гимназия № 3", municipality_id=self.m2)
        self.municipality_of = {"a": self.m1, "b": self.m1, "c": self.m2}
        for key, role, scope in (
            ("municipal_other", "municipal", {"municipality_id": self.m2}),
            ("curator_c", "curator", {"organization_id": self.org["c"]}),
        ):
            w.user_ids[key], w.tokens[key] = add_user(w.registry, f"Пользователь {key}", role, **scope)

        self.ids: dict[str, dict[str, str]] = {
            "mentors": {}, "mentees": {}, "pairs": {}, "programs": {}, "organizations": dict(self.org)
        }
        #: mentors by name: (school, consented fields, approved)
        self.mentors: dict[str, tuple[str, list[str], bool]] = {
            "a_public": ("a", ["name", "organization", "forms", "training"], True),
            "a_private": ("a", [], True),
            "a_pending": ("a", ["name"], False),
            "b_public": ("b", ["name"], True),
            "c_public": ("c", ["name", "municipality", "subjects"], True),
        }
        self.mentor_ids: dict[str, str] = {}
        for name, (school, fields, approved) in self.mentors.items():
            mentor = w.mentor(self.org[school], approve=approved)
            if fields:
                w.write(f"/mentors/{mentor}/consent", {"fields": fields, "effective_date": "2020-09-20"})
            self.mentor_ids[name] = mentor
        w.training(self.mentor_ids["a_public"])
        for school, org in self.org.items():
            mentee = w.mentee(org)
            pair = w.pair(org, self.mentor_ids[f"{school}_public"], [mentee])
            program = w.program(org)
            w.output(program)
            w.write(f"/organizations/{org}/contingents", {"year": 2021, "figures": CONTINGENT})
            w.write(
                f"/organizations/{org}/checklist/curator_appointed/complete",
                {"document": {"number": f"{school}-1-од"}, "completed_on": "2020-09-01"},
            )
            self.ids["mentees"][school] = mentee
            self.ids["pairs"][school] = pair
            self.ids["programs"][school] = program
        self.ids["mentors"] = {school: self.mentor_ids[f"{school}_public"] for school in self.org}

    @property
    def public_mentors(self) -> set[str]:
        """Mentors on the public page: approved (in the registry) and consented."""
        return {self.mentor_ids[n] for n, (_, fields, approved) in self.mentors.items() if fields and approved}

    def mentors_of(self, schools: set[str]) -> set[str]:
        return {self.mentor_ids[n] for n, (school, _, _) in self.mentors.items() if school in schools}

    def get(self, path: str, *, as_: str | None = "auditor", **params: Any) -> Any:
        return self.world.get(path, as_=as_, **params)

    def close(self) -> None:
        self.world.close()


def _region(url: str, pg_schema: str | None) -> Iterator[ReadRegion]:
    registry = open_registry(url, pg_schema, clock=lambda: TODAY)
    region = ReadRegion(ApiWorld(registry))
    try:
        yield region
    finally:
        region.close()
        registry.close()


def open_region(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadRegion]:
    """Body of a module's `region` fixture (params=STORES): the read region on each store (SQLite
    file, PostgreSQL schema, dropped after), shared by the module's tests.

        @pytest.fixture(scope="module", params=STORES)
        def region(request, tmp_path_factory):
            yield from open_region(request, tmp_path_factory)
    """
    with store_location(request.param, Path(tmp_path_factory.mktemp("reads"))) as (url, pg_schema):
        yield from _region(url, pg_schema)
