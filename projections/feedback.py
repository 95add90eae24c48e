"""Program feedback in the views and in the dynamics report: never per person, only averages.

`feedback_scores` holds one row per questionnaire and scale; the report's `feedback` section
gives, per unit (region, municipality, organization) and period, for the mentors' and the
mentees' questionnaires apart: how many were answered in the period and the mean of each scale.
A unit with no questionnaire in either period has no row; a report with none has no section at
all, so reports of a log without feedback stay byte for byte what they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from registry.feedback import QUESTIONS_RU

RESPONDENTS_RU = {"mentor": "наставники", "mentee": "наставляемые"}


@dataclass(frozen=True)
class Answer:
    """One scale of one questionnaire (who answered is not kept here: only the pair's organization)."""

    organization_id: str
    questionnaire: str  # pair id + respondent key: counts questionnaires, never shown
    respondent: str
    answered_on: date
    question: str
    score: int


def read_feedback(tx: Any) -> list[Answer]:
    return [
        Answer(row[0], f"{row[1]}/{row[2]}", row[3], date.fromisoformat(row[4]), row[5], int(row[6]))
        for row in tx.rows(
            "SELECT organization_id, pair_id, respondent_key, respondent, answered_on, question, score "
            "FROM {p}feedback_scores ORDER BY pair_id, respondent_key, question"
        )
    ]


def _mean(scores: list[int]) -> float | int | None:
    if not scores:
        return None
    value = (Decimal(sum(scores)) / Decimal(len(scores))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


def _summary(answers: Iterable[Answer]) -> dict[str, Any]:
    """Per respondent kind: questionnaires and the mean of every scale."""
    out: dict[str, Any] = {}
    chosen = list(answers)
    for respondent in ("mentor", "mentee"):
        mine = [a for a in chosen if a.respondent == respondent]
        out[respondent] = {
            "questionnaires": len({a.questionnaire for a in mine}),
            "means": {q: _mean([a.score for a in mine if a.question == q]) for q in QUESTIONS_RU},
        }
    return out


def feedback_section(answers: list[Answer], units: list[Any], organizations_of: Any, a: Any, b: Any) -> dict[str, Any]:
    """The report's section: the scales' titles and a row per unit with answers in a or b."""
    rows = []
    for unit in units:
        inside = {o.id for o in organizations_of(unit)} if unit.kind != "organization" else {unit.id}
        mine = [x for x in answers if x.organization_id in inside]
        in_a = [x for x in mine if a.start <= x.answered_on <= a.end]
        in_b = [x for x in mine if b.start <= x.answered_on <= b.end]
        if not (in_a or in_b):
            continue
        rows.append({"unit_kind": unit.kind, "unit_id": unit.id, "unit_name": unit.name,
                     "a": _summary(in_a), "b": _summary(in_b)})
    return {"questions": dict(QUESTIONS_RU), "respondents": dict(RESPONDENTS_RU), "rows": rows}
