"""A mentor: from a curator's application to the registry, and everything that follows."""

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
from registry.intervals import Span, named_pairs, require_capacity
from registry.sealing import ERASED_PERSON
from registry.values import (
    PUBLISHABLE_FIELDS,
    Document,
    MentorProfile,
    MentorStatus,
    PersonalData,
    TrainingRecord,
)

_STATUS_RU = {
    MentorStatus.PENDING: "заявка на рассмотрении",
    MentorStatus.ACTIVE: "в реестре",
    MentorStatus.REJECTED: "заявка отклонена",
    MentorStatus.SUSPENDED: "приостановлен",
    MentorStatus.REMOVED: "исключён из реестра",
}

# Statuses in which a mentor once in the registry leads no pair on those days.
_OUT = (MentorStatus.SUSPENDED.value, MentorStatus.REMOVED.value)


@pinned("Mentor")
class Mentor(RegistryAggregate):
    """A mentor's application, registry status, profile, consent, training and load."""

    @event("Applied")
    def __init__(
        self,
        organization_id: UUID,
        person: PersonalData,
        profile: MentorProfile,
        capacity: int | None,
        applied_on: date,
    ) -> None:
        self.organization_id = organization_id
        self.person = person
        self.profile = profile
        self.capacity = capacity
        self.applied_on = applied_on
        self.erased = False
        self.status = MentorStatus.PENDING.value
        self.status_since = applied_on
        self.status_reason: str | None = None
        self.consented_fields: list[str] = []
        # training id -> the record in force, and the version of the event that set it
        self.trainings: dict[str, TrainingRecord] = {}
        self.training_sources: dict[str, int] = {}
        # pair id -> mentee ids the mentor leads in that active pair (the load capacity limits)
        self.active_pairs: dict[str, list[str]] = {}
        # every pair the mentor ever took, ended or not: capacity is judged over their dates
        self.led_pairs: list[str] = []
        # (effective date, status) in date order: whether the mentor was in the registry on a day
        self.status_changes: list[tuple[date, str]] = [(applied_on, self.status)]

    # -- registry status -------------------------------------------------------------------

    @property
    def in_registry(self) -> bool:
        return self.status == MentorStatus.ACTIVE

    def _require_status(self, allowed: set[MentorStatus], action_ru: str) -> None:
        require(
            self.status in allowed,
            rule="mentor_status",
            field="mentor_id",
            message=f"Нельзя {action_ru}: наставник — {_STATUS_RU[MentorStatus(self.status)]}",
        )

    def approve(self, effective_date: date, today: date) -> None:
        self._require_status({MentorStatus.PENDING}, "включить в реестр")
        self._require_dated(effective_date, today, not_before=self.applied_on)
        self._approved(effective_date=effective_date)

    @event("Approved")
    def _approved(self, effective_date: date) -> None:
        self._set_status(MentorStatus.ACTIVE, effective_date, None)

    def reject(self, reason: str) -> None:
        self._require_status({MentorStatus.PENDING}, "отклонить заявку")
        self._rejected(reason=require_reason(reason))

    @event("Rejected")
    def _rejected(self, reason: str) -> None:
        self._set_status(MentorStatus.REJECTED, self.status_since, reason)

    def suspend(self, reason: str, effective_date: date, today: date, pairs: list[Span]) -> None:
        """`pairs`: the spans of every pair the mentor led; none may run on or after the date."""
        self._require_status({MentorStatus.ACTIVE}, "приостановить")
        self._require_dated(effective_date, today, not_before=self.status_since)
        _require_pairs_over(pairs, effective_date)
        self._suspended(reason=require_reason(reason), effective_date=effective_date)

    @event("Suspended")
    def _suspended(self, reason: str, effective_date: date) -> None:
        self._set_status(MentorStatus.SUSPENDED, effective_date, reason)

    def remove(self, reason: str, effective_date: date, today: date, pairs: list[Span]) -> None:
        """`pairs`: the spans of every pair the mentor led; none may run on or after the date."""
        self._require_status({MentorStatus.ACTIVE, MentorStatus.SUSPENDED}, "исключить из реестра")
        self._require_dated(effective_date, today, not_before=self.status_since)
        _require_pairs_over(pairs, effective_date)
        self._removed(reason=require_reason(reason), effective_date=effective_date)

    @event("Removed")
    def _removed(self, reason: str, effective_date: date) -> None:
        self._set_status(MentorStatus.REMOVED, effective_date, reason)

    def reinstate(self, reason: str, effective_date: date, today: date) -> None:
        self._require_status({MentorStatus.SUSPENDED, MentorStatus.REMOVED}, "восстановить")
        self._require_dated(effective_date, today, not_before=self.status_since)
        self._reinstated(reason=require_reason(reason), effective_date=effective_date)

    @event("Reinstated")
    def _reinstated(self, reason: str, effective_date: date) -> None:
        self._set_status(MentorStatus.ACTIVE, effective_date, reason)

    def _set_status(self, status: MentorStatus, since: date, reason: str | None) -> None:
        self.status = status.value
        self.status_since = since
        self.status_reason = reason
        self.status_changes.append((since, status.value))

    def status_on(self, day: date) -> str:
        """The mentor's registry status on a day of the world (pending before any change)."""
        current = MentorStatus.PENDING.value
        for since, status in self.status_changes:
            if since > day:
                break
            current = status
        return current

    def out_of_registry_within(self, start: date, end: date) -> date | None:
        """The first day from `start` to `end` the mentor could not lead a pair, or None.

        Only a mentor approved into the registry leads pairs; their pairs may have begun before
        the approval (the registry began in 2020, mentoring earlier), never while suspended or
        removed. `end`: the last day the pair holds (its end day is the handover day)."""
        if not any(status == MentorStatus.ACTIVE for _, status in self.status_changes):
            return start
        if self.status_on(start) in _OUT:
            return start
        for since, status in self.status_changes:
            if start < since <= end and status in _OUT:
                return since
        return None

    def _require_dated(self, effective_date: date, today: date, *, not_before: date) -> None:
        require_not_future(effective_date, field="effective_date", today=today)
        require(
            effective_date >= not_before,
            rule="date_order",
            field="effective_date",
            message=f"Дата раньше {not_before:%d.%m.%Y} — предыдущего изменения статуса",
        )

    # -- profile and consent ---------------------------------------------------------------

    def update_profile(
        self, person: PersonalData, profile: MentorProfile, capacity: int | None
    ) -> None:
        require_not_erased(self)
        self._require_status(
            {MentorStatus.PENDING, MentorStatus.ACTIVE, MentorStatus.SUSPENDED}, "изменить анкету"
        )
        if capacity is not None:
            require(
                capacity >= self.current_load,
                rule="capacity_below_load",
                field="capacity",
                message=f"У наставника уже {self.current_load} наставляемых — больше новой нагрузки",
            )
        self._profile_updated(person=person, profile=profile, capacity=capacity)

    @event("ProfileUpdated")
    def _profile_updated(
        self, person: PersonalData, profile: MentorProfile, capacity: int | None
    ) -> None:
        self.person = person
        self.profile = profile
        self.capacity = capacity

    def give_consent(
        self, fields: list[str], document: Document | None, effective_date: date, today: date
    ) -> None:
        """Consent is field by field (152-ФЗ art. 10.1); a new consent replaces the previous one."""
        require_not_erased(self)
        require_not_future(effective_date, field="effective_date", today=today)
        require(bool(fields), rule="consent_fields", field="fields", message="Не выбрано ни одного поля")
        unknown = sorted(set(fields) - set(PUBLISHABLE_FIELDS))
        require(
            not unknown,
            rule="consent_fields",
            field="fields",
            message=f"Эти поля нельзя публиковать: {', '.join(unknown)}",
        )
        ordered = [f for f in PUBLISHABLE_FIELDS if f in set(fields)]
        self._consent_given(fields=ordered, document=document, effective_date=effective_date)

    @event("ConsentGiven")
    def _consent_given(
        self, fields: list[str], document: Document | None, effective_date: date
    ) -> None:
        self.consented_fields = list(fields)

    def withdraw_consent(self, asked_on: date | None, today: date) -> None:
        """Accepted whatever the mentor's status: withdrawing must never fail for that.

        It takes effect on the date asked, or today when none is given. A date still to come is
        refused (naming `effective_date`): recording today would be earlier than asked, and the
        public page cannot hide a mentor from a future day — the person asks again on that day."""
        if asked_on is not None and asked_on > today:
            require(
                False,
                rule="date_not_in_future",
                field="effective_date",
                message=f"Дата {asked_on:%d.%m.%Y} ещё не наступила: отзыв согласия действует с сегодняшней "
                "или прошедшей даты — укажите её или оставьте поле пустым (тогда с сегодняшнего дня)",
            )
        self._consent_withdrawn(effective_date=asked_on or today)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, effective_date: date) -> None:
        self.consented_fields = []

    def erase_personal_data(self, reason: str) -> None:
        """Erasure (152-ФЗ): the personal data become unreadable and consent ends; counts stay."""
        require_not_erased(self)
        self._personal_data_erased(reason=require_reason(reason))

    @event("PersonalDataErased")
    def _personal_data_erased(self, reason: str) -> None:
        self.person = ERASED_PERSON
        self.consented_fields = []
        self.erased = True

    # -- training --------------------------------------------------------------------------

    def complete_training(self, training_id: str, record: TrainingRecord, today: date) -> None:
        self._require_status(
            {MentorStatus.PENDING, MentorStatus.ACTIVE, MentorStatus.SUSPENDED}, "учесть обучение"
        )
        require(
            training_id not in self.trainings,
            rule="training_unique",
            field="training_id",
            message="Это обучение уже учтено",
        )
        _require_training(record, today)
        self._training_completed(training_id=training_id, record=record)

    @event("TrainingCompleted")
    def _training_completed(self, training_id: str, record: TrainingRecord) -> None:
        self.trainings[training_id] = record
        self.training_sources[training_id] = self.version + 1

    def correct_training(
        self, training_id: str, record: TrainingRecord, reason: str, today: date
    ) -> None:
        require(
            training_id in self.trainings,
            rule="training_exists",
            field="training_id",
            message="Такого обучения у наставника нет",
        )
        _require_training(record, today)
        self._training_corrected(
            training_id=training_id,
            record=record,
            corrects_version=self.training_sources[training_id],
            reason=require_reason(reason),
        )

    @event("TrainingCorrected")
    def _training_corrected(
        self, training_id: str, record: TrainingRecord, corrects_version: int, reason: str
    ) -> None:
        self.trainings[training_id] = record
        self.training_sources[training_id] = self.version + 1

    @property
    def trained(self) -> bool:
        return bool(self.trainings)

    # -- load ------------------------------------------------------------------------------

    @property
    def current_load(self) -> int:
        return sum(len(mentees) for mentees in self.active_pairs.values())

    def take_mentees(
        self, pair_id: UUID, mentee_ids: list[UUID], proposed: list[Span], others: list[Span]
    ) -> None:
        """Lead these mentees in a pair: only while in the registry, only within capacity.

        `proposed`: the pair's spans with them; `others`: the spans of the mentor's other pairs."""
        self.require_schedule(proposed, others)
        self._mentees_taken(pair_id=pair_id, mentee_ids=list(mentee_ids))

    def require_schedule(self, proposed: list[Span], others: list[Span]) -> None:
        """Refuse spans on days the mentor was out of the registry or beyond their capacity."""
        for span in proposed:
            day = self.out_of_registry_within(span.start, span.last_known_day)
            if day is not None:
                on_day = self.status_on(day)
                status = _STATUS_RU[MentorStatus(on_day if on_day in _OUT else self.status)]
                require(
                    False,
                    rule="mentor_in_registry",
                    field="mentor_id",
                    message=f"Наставник не может вести пару {day:%d.%m.%Y}: {status}",
                )
        require_capacity(self.capacity, others, proposed)

    @event("MenteesTaken")
    def _mentees_taken(self, pair_id: UUID, mentee_ids: list[UUID]) -> None:
        self.active_pairs.setdefault(str(pair_id), []).extend(str(m) for m in mentee_ids)
        if str(pair_id) not in self.led_pairs:
            self.led_pairs.append(str(pair_id))

    def release_pair(self, pair_id: UUID) -> None:
        self._pair_released(pair_id=pair_id)

    @event("PairReleased")
    def _pair_released(self, pair_id: UUID) -> None:
        self.active_pairs.pop(str(pair_id), None)


def _require_pairs_over(pairs: list[Span], day: date) -> None:
    """A mentor leaves the registry only once their pairs are over: never leaves them running."""
    running = [s for s in pairs if s.end is None or s.last_known_day >= day]
    require(
        not running,
        rule="mentor_has_active_pairs",
        field="mentor_id",
        message=(
            f"У наставника есть пары, идущие на {day:%d.%m.%Y} ({named_pairs(running)}): завершите их "
            "или передайте другому наставнику, либо попросите расформировать их этой датой"
        ),
    )


def _require_training(record: TrainingRecord, today: date) -> None:
    require_not_future(record.completed_on, field="completed_on", today=today)
    require(
        record.hours is None or record.hours > 0,
        rule="positive",
        field="hours",
        message="Число часов должно быть больше нуля",
    )
