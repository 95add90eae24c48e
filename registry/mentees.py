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
from registry.intervals import Span, named_pairs, require_one_pair_per_form
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
        # (date, from organization, to organization) of each move (перевод), in date order
        self.moves: list[tuple[date, str, str]] = []

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

    def organization_on(self, day: date) -> str:
        """The organization the mentee belonged to on a day of the world."""
        current = self.moves[0][1] if self.moves else str(self.organization_id)
        for moved_on, _, to in self.moves:
            if moved_on <= day:
                current = to
        return current

    def require_belongs(self, organization_id: UUID, start: date, last_day: date, *, field: str) -> None:
        """Every day from `start` to `last_day` the mentee belonged to the organization."""
        belongs = self.organization_on(start) == str(organization_id) and not any(
            start < moved_on <= last_day for moved_on, _, _ in self.moves
        )
        require(
            belongs,
            rule="mentee_of_pair_organization",
            field=field,
            message="Наставляемый в эти дни — из другой организации, чем пара",
        )

    def move(self, organization_id: UUID, moved_on: date, reason: str, today: date, pairs_here: list[Span]) -> None:
        """A move to another organization (перевод) on a date: from that day the mentee is theirs.

        `pairs_here`: the spans of the mentee's pairs in the organization left; they must be over
        by the move (ended on its day at the latest), so every day is counted in one place."""
        require(
            str(organization_id) != str(self.organization_id),
            rule="organization_changes",
            field="organization_id",
            message="Наставляемый уже в этой организации",
        )
        require_not_future(moved_on, field="moved_on", today=today)
        since = self.moves[-1][0] if self.moves else self.registered_on
        require(
            moved_on > since,
            rule="date_order",
            field="moved_on",
            message=f"Дата перевода должна быть позже {since:%d.%m.%Y}",
        )
        running = [s for s in pairs_here if s.end is None or s.last_known_day >= moved_on]
        require(
            not running,
            rule="mentee_has_active_pairs",
            field="moved_on",
            message=(
                f"У наставляемого есть пары, идущие на {moved_on:%d.%m.%Y} ({named_pairs(running)}): "
                "завершите их или попросите расформировать их датой перевода"
            ),
        )
        self._moved(organization_id=organization_id, moved_on=moved_on, reason=require_reason(reason))

    @event("Moved")
    def _moved(self, organization_id: UUID, moved_on: date, reason: str) -> None:
        self.moves = [*self.moves, (moved_on, str(self.organization_id), str(organization_id))]
        self.organization_id = organization_id

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
