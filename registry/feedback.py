"""Program feedback (Р-145, the first stage of monitoring: the quality of the programme): at a
pair's completion the mentor and each mentee fill in a questionnaire of satisfaction scales.

Kept as an aggregate of its own per pair (`PairFeedback`, its id derived from the pair's), so the
`Pair` aggregate is not touched. Questionnaires are never published per person: reads and the
dynamics report aggregate them per organization, municipality and region.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_not_future

SCALE_MIN, SCALE_MAX = 1, 10


class Respondent(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


#: The scales of the questionnaire (one to ten), the same codes for both respondents.
QUESTIONS_RU: dict[str, str] = {
    "overall": "Удовлетворённость участием в программе наставничества",
    "communication": "Комфорт общения в паре (группе)",
    "usefulness": "Полезность встреч и заданий",
    "support": "Поддержка (наставника — для наставляемого, куратора — для наставника)",
    "organization": "Организация программы: график, формат, место",
    "goals": "Достижение поставленных целей",
}


def pair_feedback_id(pair_id: UUID) -> UUID:
    """One feedback aggregate per pair, so its id follows from the pair's."""
    return uuid5(NAMESPACE_URL, f"reestr:pair-feedback:{pair_id}")


@pinned("PairFeedback")
class PairFeedback(RegistryAggregate):
    """The questionnaires of one completed pair: the mentor's and each mentee's, once each."""

    @staticmethod
    def create_id(pair_id: UUID) -> UUID:
        return pair_feedback_id(pair_id)

    @event("Created")
    def __init__(self, pair_id: UUID, organization_id: UUID) -> None:
        self.pair_id = pair_id
        self.organization_id = organization_id
        # respondent key ("mentor" or the mentee's id) -> answered_on
        self.answered: dict[str, date] = {}

    def record(
        self,
        *,
        respondent: str,
        mentee_id: UUID | None,
        pair_mentees: list[str],
        pair_completed_on: date | None,
        answered_on: date,
        scores: dict[str, int],
        today: date,
    ) -> None:
        """Record one questionnaire of a completed pair; each respondent answers once."""
        require(
            pair_completed_on is not None,
            rule="pair_completed",
            field="pair_id",
            message="Анкеты заполняют по завершении пары: пара не завершена",
        )
        assert pair_completed_on is not None
        if respondent == Respondent.MENTEE:
            require(mentee_id is not None, rule="required", field="mentee_id",
                    message="Нужно указать наставляемого, заполнившего анкету")
            require(str(mentee_id) in pair_mentees, rule="mentee_of_pair", field="mentee_id",
                    message="Этот наставляемый не участвовал в паре")
            key = str(mentee_id)
        else:
            require(mentee_id is None, rule="mentor_answers_for_self", field="mentee_id",
                    message="Анкета наставника не называет наставляемого")
            key = Respondent.MENTOR.value
        require(key not in self.answered, rule="questionnaire_once", field="respondent",
                message="Этот участник уже заполнил анкету по этой паре")
        require_not_future(answered_on, field="answered_on", today=today)
        require(answered_on >= pair_completed_on, rule="date_order", field="answered_on",
                message=f"Анкета заполнена раньше завершения пары ({pair_completed_on:%d.%m.%Y})")
        require(bool(scores), rule="required", field="scores", message="Нужна хотя бы одна оценка")
        for question, score in scores.items():
            require(question in QUESTIONS_RU, rule="question_known", field=f"scores.{question}",
                    message=f"В анкете нет вопроса «{question}»")
            require(SCALE_MIN <= score <= SCALE_MAX, rule="scale", field=f"scores.{question}",
                    message=f"Оценка по шкале от {SCALE_MIN} до {SCALE_MAX}")
        # The pair and its organization ride along so the questionnaire reads on its own.
        self._recorded(pair_id=self.pair_id, organization_id=self.organization_id, respondent=respondent,
                       mentee_id=mentee_id, answered_on=answered_on, scores=dict(sorted(scores.items())))

    @event("QuestionnaireRecorded")
    def _recorded(
        self, pair_id: UUID, organization_id: UUID, respondent: str, mentee_id: UUID | None,
        answered_on: date, scores: dict[str, int],
    ) -> None:
        self.answered[str(mentee_id) if mentee_id else Respondent.MENTOR.value] = answered_on
