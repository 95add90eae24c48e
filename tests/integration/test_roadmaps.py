"""Roadmaps: checklist items with a deadline, a responsible person and the document expected, as
the municipal roadmaps of the letters set them; each organization's item is done in time, done
late, overdue or pending according to its checklist; overdue items per organization and municipality.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.world import ADMIN
from support.world.api import ApiWorld, open_world

from registry import commands as c
from registry.application import Registry
from registry.errors import Forbidden, InvalidCommand, RuleViolation
from registry.validation import parse_command
from registry.values import Actor, Role


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def _plan(**fields: Any) -> c.PlanRoadmapItem:
    data = {"item": "curator_appointed", "due_on": "2021-10-01", "responsible": "Руководители ОО",
            "document_kind": "order", **fields}
    return parse_command(c.PlanRoadmapItem, data)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"responsible": "  "}, "responsible", "не может быть пустым"),
        ({"document_kind": "letter"}, "document_kind", "order"),
        ({"due_on": "01.10.2021"}, "due_on", "ГГГГ-ММ-ДД"),
    ],
)
def test_bad_input_is_refused_in_russian(fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        _plan(**fields)
    assert words in {p.field: p.message for p in refused.value.problems}[field]


def test_rules_of_the_roadmap(memory_registry: Registry) -> None:
    registry = memory_registry
    with pytest.raises(RuleViolation) as unknown:
        registry.execute(_plan(item="no_such_item"), ADMIN)
    assert unknown.value.rule == "reference_code"
    registry.execute(_plan(), ADMIN)
    with pytest.raises(RuleViolation) as unexplained:
        registry.execute(_plan(due_on="2021-10-04"), ADMIN)
    assert (unexplained.value.rule, unexplained.value.field) == ("reason_required", "reason")
    registry.execute(_plan(due_on="2021-10-04", reason="Срок продлён письмом № 02-01-82"), ADMIN)
    before = registry.position()
    with pytest.raises(RuleViolation) as nothing:
        registry.execute(_plan(due_on="2021-10-04", reason="Ещё раз"), ADMIN)
    assert nothing.value.rule == "nothing_changed" and registry.position() == before
    with pytest.raises(RuleViolation) as absent:
        registry.execute(c.DropRoadmapItem(item="website_section", reason="Не нужен"), ADMIN)
    assert absent.value.rule == "roadmap_item_planned"
    district = registry.execute(c.RegisterMunicipality(name="Саянский район", region="Красноярский край"), ADMIN)
    coordinator = Actor(user_id="uo", role=Role.MUNICIPAL, municipality_id=str(district.aggregate_id))
    with pytest.raises(Forbidden):
        registry.execute(_plan(item="website_section"), coordinator)
    registry.execute(_plan(item="website_section", municipality_id=district.aggregate_id), coordinator)


def _complete(world: ApiWorld, org: str, item: str, on: str) -> None:
    world.write(f"/organizations/{org}/checklist/{item}/complete",
                {"document": {"number": "12-од"}, "completed_on": on})


def _states(world: ApiWorld, as_: str = "municipal", **params: Any) -> dict[tuple[str, str], dict[str, Any]]:
    response = world.get("/roadmap-items/states", as_=as_, **params)
    assert response.status_code == 200, response.text
    return {(i["organization_id"], i["item"]): i for i in response.json()["items"]}


def test_each_organization_item_is_in_time_late_overdue_or_pending(world: ApiWorld) -> None:
    org_c = world.organization("Школа № 3")
    world.write("/roadmap-items", {"item": "curator_appointed", "due_on": "2021-10-01",
                                   "responsible": "Руководители ОО", "document_kind": "order"})
    world.write("/roadmap-items", {"item": "website_section", "municipality_id": world.municipality_id,
                                   "due_on": "2023-07-01", "responsible": "Кураторы внедрения ЦМН",
                                   "document_kind": "website_section"}, as_="municipal")
    _complete(world, world.org_a, "curator_appointed", "2021-09-20")
    _complete(world, world.org_b, "curator_appointed", "2021-10-15")

    states = _states(world)
    assert states[(world.org_a, "curator_appointed")]["state"] == "done"
    assert states[(world.org_b, "curator_appointed")]["state"] == "done_late"
    assert states[(org_c, "curator_appointed")]["state"] == "overdue"
    assert states[(org_c, "curator_appointed")]["state_ru"] == "просрочено"
    assert states[(org_c, "curator_appointed")]["document_kind_ru"] == "приказ"
    assert states[(world.org_a, "website_section")]["state"] == "pending", "due 01.07.2023, today 01.06.2023"

    overdue = _states(world, state="overdue")
    assert set(overdue) == {(org_c, "curator_appointed")}
    summary = world.get("/roadmap-items/overdue-by-municipality", as_="municipal").json()["items"]
    assert summary == [{"municipality_id": world.municipality_id, "municipality": summary[0]["municipality"],
                        "organizations": 3, "organizations_with_overdue": 1, "overdue_items": 1}]

    # The checklist item reopened: the organization is overdue again.
    world.write(f"/organizations/{world.org_a}/checklist/curator_appointed/reopen", {"reason": "Приказ отменён"})
    assert _states(world, state="overdue", organization_id=world.org_a).keys() == {(world.org_a, "curator_appointed")}

    # A curator sees its own organization; a municipality not another's schools.
    assert {org for org, _ in _states(world, as_="curator")} == {world.org_a}
    elsewhere = world.municipality()
    far = world.created("/organizations", {"name": "Школа в другом районе", "kind": "school",
                                           "municipality_id": elsewhere, "registered_on": "2019-09-01"})
    assert (far, "curator_appointed") in _states(world, as_="admin")
    assert far not in {org for org, _ in _states(world)}
    planned = world.get("/roadmap-items", as_="municipal").json()["items"]
    assert [(i["item"], i["responsible"]) for i in planned] == [
        ("curator_appointed", "Руководители ОО"), ("website_section", "Кураторы внедрения ЦМН")]

    # Dropped from the district's roadmap: no organization owes it any more.
    world.write("/roadmap-items/website_section/drop",
                {"municipality_id": world.municipality_id, "reason": "Раздел ведёт управление образования"},
                as_="municipal")
    assert not [key for key in _states(world) if key[1] == "website_section"]
