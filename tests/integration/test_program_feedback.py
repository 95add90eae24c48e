"""Program feedback: at a pair's completion the mentor and the mentee answer the questionnaire
(scales 1–10); the dynamics report gives the number of questionnaires and the means per
organization, municipality and region, never a person's answers. Over HTTP, on both stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from support.world.api import ApiWorld, open_world

from registry import commands as c
from registry.application import Registry
from registry.errors import InvalidCommand
from registry.feedback import PairFeedback, pair_feedback_id
from registry.pairs import Pair
from registry.validation import parse_command

MENTOR_ANSWERS = {"overall": 9, "communication": 10, "usefulness": 8}


@pytest.fixture
def world(registry: Registry) -> Iterator[ApiWorld]:
    yield from open_world(registry)


def _completed_pair(world: ApiWorld, org: str) -> tuple[str, str]:
    mentee = world.mentee(org)
    pair = world.pair(org, mentees=[mentee])
    world.write(f"/pairs/{pair}/complete", {"ended_on": "2021-05-25", "outcome": "Проект защищён"})
    return pair, mentee


def _answer(world: ApiWorld, pair: str, body: dict[str, Any], as_: str = "curator") -> Any:
    return world.post(f"/pairs/{pair}/feedback", {"answered_on": "2021-05-28", **body}, as_=as_)


def test_questionnaires_of_a_completed_pair_and_their_rules(world: ApiWorld) -> None:
    pair, mentee = _completed_pair(world, world.org_a)
    assert _answer(world, pair, {"respondent": "mentor", "scores": MENTOR_ANSWERS}).status_code == 200
    again = _answer(world, pair, {"respondent": "mentor", "scores": {"overall": 3}})
    assert again.status_code == 422 and again.json()["errors"][0]["rule"] == "questionnaire_once"
    stranger = world.mentee(world.org_a)
    refused = _answer(world, pair, {"respondent": "mentee", "mentee_id": stranger, "scores": {"overall": 7}})
    assert refused.json()["errors"][0]["rule"] == "mentee_of_pair"
    early = _answer(world, pair, {"respondent": "mentee", "mentee_id": mentee, "answered_on": "2021-05-01",
                                  "scores": {"overall": 7}})
    assert early.json()["errors"][0]["rule"] == "date_order"
    out_of_range = _answer(world, pair, {"respondent": "mentee", "mentee_id": mentee, "scores": {"overall": 11}})
    assert out_of_range.status_code == 422
    assert out_of_range.json()["errors"][0]["message"] == "Значение должно быть не больше 10"
    unknown = _answer(world, pair, {"respondent": "mentee", "mentee_id": mentee, "scores": {"mood": 5}})
    assert unknown.json()["errors"][0] == {"field": "scores.mood", "rule": "question_known",
                                           "message": "В анкете нет вопроса «mood»"}
    assert _answer(world, pair, {"respondent": "mentee", "mentee_id": mentee, "scores": {"overall": 7}}).status_code == 200

    active = world.pair(world.org_a)
    not_yet = _answer(world, active, {"respondent": "mentor", "scores": {"overall": 7}})
    assert not_yet.json()["errors"][0]["rule"] == "pair_completed"
    assert "не завершена" in not_yet.json()["errors"][0]["message"]
    assert _answer(world, pair, {"respondent": "mentor", "scores": {"x": 1}}, as_="curator_other").status_code == 403

    # Kept beside the pair: the Pair aggregate recorded nothing for the questionnaires.
    registry = world.registry
    assert registry.get(Pair, UUID(pair)).version == 2  # formed, completed
    feedback = registry.get(PairFeedback, pair_feedback_id(UUID(pair)))
    assert set(feedback.answered) == {"mentor", mentee}


def test_bad_input_is_named_in_russian() -> None:
    with pytest.raises(InvalidCommand) as refused:
        parse_command(c.RecordPairFeedback, {"pair_id": str(UUID(int=1)), "respondent": "parent",
                                             "answered_on": "2021-05-28", "scores": {}})
    problems = {p.field: p.message for p in refused.value.problems}
    assert problems["respondent"].startswith("Допустимые значения: mentor")
    assert problems["scores"] == "Нужно не меньше 1 значений"


def _report(world: ApiWorld, fmt: str = "json", as_: str = "auditor") -> Any:
    response = world.get("/reports/dynamics", as_=as_, **{"from": "2020", "to": "2021", "format": fmt})
    assert response.status_code == 200, response.text
    return response


def test_the_dynamics_report_aggregates_and_never_names_a_person(world: ApiWorld) -> None:
    before = _report(world).json()
    assert "feedback" not in before, "no questionnaires: the report is what it was"
    assert "Удовлетворённость" not in _report(world, "html").text

    pair_a, mentee_a = _completed_pair(world, world.org_a)
    pair_b, mentee_b = _completed_pair(world, world.org_b)
    _answer(world, pair_a, {"respondent": "mentor", "scores": MENTOR_ANSWERS})
    _answer(world, pair_a, {"respondent": "mentee", "mentee_id": mentee_a, "scores": {"overall": 6, "goals": 7}})
    _answer(world, pair_b, {"respondent": "mentee", "mentee_id": mentee_b, "scores": {"overall": 9}},
            as_="curator_other")

    report = _report(world).json()
    rows = {(row["unit_kind"], row["unit_id"]): row for row in report["feedback"]["rows"]}
    school_a = rows[("organization", world.org_a)]["b"]
    assert school_a["mentor"]["questionnaires"] == 1 and school_a["mentor"]["means"]["overall"] == 9
    assert school_a["mentee"]["means"] == {"overall": 6, "communication": None, "usefulness": None,
                                           "support": None, "organization": None, "goals": 7}
    district = rows[("municipality", world.municipality_id)]["b"]
    assert district["mentee"]["questionnaires"] == 2 and district["mentee"]["means"]["overall"] == 7.5
    region = next(row for row in report["feedback"]["rows"] if row["unit_kind"] == "region")
    assert region["b"]["mentee"]["means"]["overall"] == 7.5
    assert rows[("organization", world.org_a)]["a"]["mentor"]["questionnaires"] == 0, "answered in 2021"

    text = json.dumps(report, ensure_ascii=False)
    for person_or_pair in (mentee_a, mentee_b, pair_a, pair_b):
        assert person_or_pair not in text
    assert "Удовлетворённость участников программ наставничества" in _report(world, "html").text
    csv_text = _report(world, "csv").content.decode("utf-8-sig")
    assert f"feedback_mentee_overall,organization,{world.org_a}" in csv_text
    curator_rows = _report(world, as_="curator").json()["feedback"]["rows"]
    assert {row["unit_id"] for row in curator_rows} == {world.org_a}
