"""Mentor suggestions for a pupil of school № 1: who is offered, in what order, and why.

Over HTTP on both stores. Never offered: a mentor without the form, without room over the
intended interval (the load counts pairs whose interval overlaps it), or of another school
without consent to be public.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from support.world.api import ApiWorld, open_world

from registry.application import Registry
from registry.mentors import Mentor
from registry.pairs import Pair

AUTUMN = {"form": "pupil_pupil", "starts_on": "2023-09-01", "ends_on": "2024-05-31"}


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def _mentor(world: ApiWorld, org: str, name: str, *, forms: list[str] | None = None, subjects: list[str] | None = None,
            capacity: int | None = 2, consent: list[str] | None = None, trained: bool = False) -> str:
    mentor = world.created("/mentors", {
        "organization_id": org, "person": {"full_name": name},
        "profile": {"position": "учитель", "mentor_type": "teacher", "forms": forms or ["pupil_pupil"],
                    "subjects": subjects or ["математика"]},
        "capacity": capacity, "applied_on": "2020-09-01"})
    world.write(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"})
    if consent:
        world.write(f"/mentors/{mentor}/consent", {"fields": consent, "effective_date": "2021-02-01"})
    if trained:
        world.training(mentor)
    return mentor


class School:
    """School № 1's pupil, and the mentors around: the scenario of every test here."""

    def __init__(self, world: ApiWorld):
        w = self.world = world
        self.far_municipality = w.municipality()
        self.far_school = w.created("/organizations", {"name": "Школа в другом районе", "kind": "school",
                                                       "municipality_id": self.far_municipality,
                                                       "registered_on": "2019-09-01"})
        self.pupil = w.mentee(w.org_a)
        self.classmate = w.mentee(w.org_a)
        self.trained = _mentor(w, w.org_a, "Обученная Анна", trained=True)
        self.untrained = _mentor(w, w.org_a, "Необученный Борис")
        self.full = _mentor(w, w.org_a, "Занятая Вера", capacity=1)
        self.busy_pair = w.pair(w.org_a, self.full)  # active since 2020-10-01, no end
        self.was_busy = _mentor(w, w.org_a, "Освободившийся Глеб", capacity=1)
        self.ended_pair = w.pair(w.org_a, self.was_busy)
        w.write(f"/pairs/{self.ended_pair}/complete", {"ended_on": "2021-05-25", "outcome": "Проект"})
        self.teachers_only = _mentor(w, w.org_a, "Методист Дарья", forms=["teacher_teacher"])
        self.neighbour = _mentor(w, w.org_b, "Соседка Елена", consent=["name", "organization"])
        self.private = _mentor(w, w.org_b, "Скрытный Жан")
        self.far = _mentor(w, self.far_school, "Далёкий Захар", consent=["name"], trained=True,
                           subjects=["физика"])

    def suggest(self, as_: str = "curator", **params: Any) -> list[dict[str, Any]]:
        response = self.world.get(f"/mentees/{self.pupil}/mentor-suggestions", as_=as_, **{**AUTUMN, **params})
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


@pytest.fixture
def school(world: ApiWorld) -> School:
    return School(world)


def _overlapping_load(registry: Registry, mentor_id: str, starts: date, ends: date | None) -> int:
    """The mentor's mentees in pairs overlapping [starts, ends], from the Pair aggregates themselves."""
    load = 0
    for notification in registry.recorder.select_notifications(1, 10_000, topics=["reestr:Pair.Formed"]):
        pair = registry.get(Pair, notification.originator_id)
        if str(pair.mentor_id) != mentor_id:
            continue
        for joined in pair.mentees.values():
            if (ends is None or joined <= ends) and (pair.ended_on is None or pair.ended_on >= starts):
                load += 1
    return load


def test_never_a_mentor_without_the_form_room_or_consent(school: School) -> None:
    offered = {s["mentor_id"] for s in school.suggest()}
    assert offered == {school.trained, school.untrained, school.was_busy, school.neighbour, school.far}
    registry = school.world.registry
    for mentor_id in offered:
        mentor = registry.get(Mentor, UUID(mentor_id))
        assert "pupil_pupil" in mentor.profile.forms
        load = _overlapping_load(registry, mentor_id, date(2023, 9, 1), date(2024, 5, 31))
        assert mentor.capacity is None or mentor.capacity - load >= 1


def test_the_interval_decides_the_room(school: School) -> None:
    during = {s["mentor_id"] for s in school.suggest(starts_on="2021-01-10", ends_on="2021-03-01")}
    assert school.was_busy not in during, "his pair ran until 25.05.2021"
    assert school.was_busy in {s["mentor_id"] for s in school.suggest()}
    group = school.world.get("/mentor-suggestions", as_="curator",
                             mentee_ids=[school.pupil, school.classmate], **AUTUMN).json()["items"]
    assert school.was_busy not in {s["mentor_id"] for s in group}, "one free place, two mentees"
    assert school.trained in {s["mentor_id"] for s in group}
    mixed = school.world.get("/mentor-suggestions", as_="admin",
                             mentee_ids=[school.pupil, school.world.mentee(school.world.org_b)], **AUTUMN)
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["rule"] == "mentee_of_pair_organization"


def test_ranked_and_explained(school: School) -> None:
    ranked = school.suggest()
    assert [s["mentor_id"] for s in ranked] == [
        school.trained, school.untrained, school.was_busy, school.neighbour, school.far]
    first = ranked[0]
    assert first["reasons"] == [
        "ведёт форму «ученик – ученик»",
        "из той же организации",
        "свободно мест: 2 из 2 на период 01.09.2023 – 31.05.2024",
        "прошёл обучение наставников («Наставничество в ОО», 01.03.2021)",
    ]
    assert "дал согласие на публикацию в реестре" in ranked[3]["reasons"]
    assert "из другой организации того же муниципалитета" in ranked[3]["reasons"]

    physics = school.suggest(subject="физика")
    assert physics[0]["mentor_id"] == school.far
    assert "предмет (направление) «физика» совпадает" in physics[0]["reasons"]


def test_a_curator_sees_other_schools_mentors_as_public_entries_only(school: School) -> None:
    far = next(s for s in school.suggest() if s["mentor_id"] == school.far)
    assert far["full_name"] == "Далёкий Захар"
    assert far["organization"] is None and far["municipality"] is None, "consented to the name only"
    assert "из другой организации" in far["reasons"]
    admin_view = next(s for s in school.suggest(as_="admin") if s["mentor_id"] == school.far)
    assert admin_view["organization"] == "Школа в другом районе"
    refused = school.world.get(f"/mentees/{school.pupil}/mentor-suggestions", as_="curator_other", **AUTUMN)
    assert refused.status_code == 404
    backwards = school.world.get(f"/mentees/{school.pupil}/mentor-suggestions", as_="curator",
                                 form="pupil_pupil", starts_on="2023-09-01", ends_on="2023-01-01")
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_on"
