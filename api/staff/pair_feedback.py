"""Program feedback on a completed pair's page: the curator records the mentor's and each
mentee's questionnaire (the six scales of `registry.feedback`, 1–10) with `RecordPairFeedback`.

As in the API, nobody reads a person's answers back: the page says only whose questionnaires
are in (to the curator of the pair's organization); the scores reach people only as averages
in the dynamics report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.reads import mentoring
from api.reads.common import views_of
from api.staff import pages
from api.staff.curator import curator_only
from api.staff.session import CurrentStaff, SignedIn
from api.staff.words import FIELDS_RU
from projections.mentoring_reads import questionnaires_in
from registry import commands as c
from registry.feedback import QUESTIONS_RU, SCALE_MAX, SCALE_MIN
from registry.values import Role

router = APIRouter()
pages.NOTICES["feedback"] = "Анкета внесена."
SCALE = [(str(n), str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]
# The error summary names a field by its last part: the questionnaire's, in Russian.
for _code, _text in {**{q: f"оценка «{t}»" for q, t in QUESTIONS_RU.items()},
                     "answered_on": "дата заполнения", "respondent": "участник"}.items():
    FIELDS_RU.setdefault(_code, _text)


def answered(request: Request, pair_id: str) -> dict[str, str]:
    """Whose questionnaires are in: respondent key ("mentor" or a mentee's id) -> answered_on."""
    with views_of(request).transaction(write=False) as tx:
        return questionnaires_in(tx, pair_id)


def feedback_context(request: Request, staff: SignedIn, pair: Any) -> dict[str, Any]:
    """What the pair page shows of the questionnaires: only to the curator, only of a completed pair."""
    shown = staff.actor.role == Role.CURATOR and pair.status == "completed"
    return {"feedback_shown": shown, "feedback_answered": answered(request, pair.id) if shown else {},
            "questions": list(QUESTIONS_RU.items()), "scale": SCALE}


@router.post("/pairs/{pair_id}/feedback")
def record_feedback(request: Request, staff: CurrentStaff, pair_id: UUID, form: pages.PostedForm) -> Response:
    from api.staff.curator_mentoring import pair_page_again

    curator_only(staff)
    pages.api_read(mentoring.pair, request, pages.scope(staff), pair_id)  # 404 outside the scope
    key = form.text("respondent_key") or "mentor"
    prefix = f"{key}."
    data = {
        "pair_id": pair_id, "respondent": "mentor" if key == "mentor" else "mentee",
        "mentee_id": None if key == "mentor" else key,
        "answered_on": form.date(prefix + "answered_on", "answered_on"),
        "scores": {q: form.integer(f"{prefix}scores.{q}", f"scores.{q}") for q in QUESTIONS_RU
                   if form.text(f"{prefix}scores.{q}")},
    }
    outcome = pages.execute(request, staff, c.RecordPairFeedback, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/pairs/{pair_id}", done="feedback")
    errors = {prefix + k: v for k, v in outcome.errors.items()}
    return pair_page_again(request, staff, pair_id, errors=errors, message=outcome.message, values=form.form)
