"""A mentee (наставляемый): minimal personal data, since mentees are mostly children."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.base import (
    RegistryAggregate,
    pinned,
    require,
    require_not_erased,
    require_not_future,
    require_reason,
)
from registry.intervals import Span, require_one_pair_per_form
from registry.sealing import ERASED_PERSON
from registry.values import MenteeCategory, PersonalData


@pinned("Mentee")
class Mentee(RegistryAggregate):
    """A pupil, student or teacher being mentored, and the active pairs they are in."""

    @event("Registered")
    def __init__(
        self,
        organization_id: UUID,
        category: str,
        person: PersonalData,
        birth_year: int | None,
        work_started_on: date | None,
        registered_on: date,
    ) -> None:
        self.organization_id = organization_id
        self._set_details(category, person, birth_year, work_started_on)
        self.registered_on = registered_on
        self.erased = False
        self.details_source = 1
        # pair id -> form of mentoring, for the pairs this mentee is in now
        self.active_pairs: dict[str, str] = {}
        # pair id -> form, for every pair this mentee was ever in (rules judge their dates)
        self.pairs: dict[str, str] = {}

    @classmethod
    def register(
        cls,
        organization_id: UUID,
        category: str,
        person: PersonalData,
        birth_year: int | None,
        work_started_on: date | None,
        registered_on: date,
        today: date,
    ) -> Mentee:
        """Register a mentee once the details fit the category."""
        require_not_future(registered_on, field="registered_on", today=today)
        _require_details(category, person, birth_year, work_started_on, today)
        return cls(
            organization_id=organization_id,
            category=category,
            person=person,
            birth_year=_counted_year(person, birth_year),
            work_started_on=work_started_on,
            registered_on=registered_on,
        )

    def _set_details(
        self,
        category: str,
        person: PersonalData,
        birth_year: int | None,
        work_started_on: date | None,
    ) -> None:
        self.category = category
        self.person = person
        # The year is kept even when the full date is known: counts by age band need no more.
        self.birth_year = person.birth_date.year if person.birth_date else birth_year
        self.work_started_on = work_started_on

    def correct_details(
        self,
        category: str,
        person: PersonalData,
        birth_year: int | None,
        work_started_on: date | None,
        reason: str,
        today: date,
    ) -> None:
        require_not_erased(self)
        _require_details(category, person, birth_year, work_started_on, today)
        self._details_corrected(
            category=category,
            person=person,
            birth_year=_counted_year(person, birth_year),
            work_started_on=work_started_on,
            corrects_version=self.details_source,
            reason=require_reason(reason),
        )

    @event("DetailsCorrected")
    def _details_corrected(
        self,
        category: str,
        person: PersonalData,
        birth_year: int | None,
        work_started_on: date | None,
        corrects_version: int,
        reason: str,
    ) -> None:
        self._set_details(category, person, birth_year, work_started_on)
        self.details_source = self.version + 1

    def erase_personal_data(self, reason: str) -> None:
        """Erasure (152-ФЗ): name and birth date become unreadable; the birth year still counts."""
        require_not_erased(self)
        self._personal_data_erased(reason=require_reason(reason))

    @event("PersonalDataErased")
    def _personal_data_erased(self, reason: str) -> None:
        self.person = ERASED_PERSON
        self.erased = True

    def enroll(self, pair_id: UUID, form: str, proposed: Span, others: list[Span], *, field: str = "mentee_ids") -> None:
        """Join a pair; never two pairs of the same form on the same day (`others`: my other pairs)."""
        require_one_pair_per_form(others, [proposed], field=field)
        self._enrolled(pair_id=pair_id, form=form)

    @event("EnrolledInPair")
    def _enrolled(self, pair_id: UUID, form: str) -> None:
        self.active_pairs[str(pair_id)] = form
        self.pairs[str(pair_id)] = form

    def leave(self, pair_id: UUID) -> None:
        self._left(pair_id=pair_id)

    @event("LeftPair")
    def _left(self, pair_id: UUID) -> None:
        self.active_pairs.pop(str(pair_id), None)


def _counted_year(person: PersonalData, birth_year: int | None) -> int | None:
    # Stored beside the sealed birth date, so the age bands survive the person's erasure.
    return person.birth_date.year if person.birth_date else birth_year


def _require_details(
    category: str,
    person: PersonalData,
    birth_year: int | None,
    work_started_on: date | None,
    today: date,
) -> None:
    require_not_future(person.birth_date, field="birth_date", today=today)
    require_not_future(work_started_on, field="work_started_on", today=today)
    if birth_year is not None:
        require(
            1900 <= birth_year <= today.year,
            rule="birth_year_range",
            field="birth_year",
            message="Год рождения вне допустимого диапазона",
        )
    if category in (MenteeCategory.PUPIL, MenteeCategory.COLLEGE_STUDENT):
        require(
            person.birth_date is not None or birth_year is not None,
            rule="birth_known",
            field="birth_date",
            message="Для обучающегося нужна дата или год рождения (для расчёта возраста)",
        )
    if category == MenteeCategory.YOUNG_TEACHER:
        require(
            work_started_on is not None,
            rule="work_start_known",
            field="work_started_on",
            message="Для молодого специалиста нужна дата начала педагогической работы",
        )
