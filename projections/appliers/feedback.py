"""Program feedback: every scale of every questionnaire, keyed by the pair and the respondent."""

from __future__ import annotations

from typing import Any

from projections.appliers.base import day, ident, on
from projections.store import Tx


@on("PairFeedback.QuestionnaireRecorded")
def questionnaire_recorded(tx: Tx, e: Any) -> None:
    respondent_key = ident(e.mentee_id) if e.mentee_id else "mentor"
    for question, score in sorted(e.scores.items()):
        tx.execute(
            "INSERT INTO {p}feedback_scores (pair_id, respondent_key, respondent, organization_id, "
            "answered_on, question, score) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (ident(e.pair_id), respondent_key, e.respondent, ident(e.organization_id), day(e.answered_on),
             question, int(score)),
        )
