"""Pairs and groups «наставник – наставляемый»: formed, joined, completed or dissolved."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_not_future, require_reason
from registry.intervals import Schedule, Span, clip, require_one_pair_per_form, spans_of
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.values import PairStatus


@pinned("Pair")
class Pair(RegistryAggregate):
    """A mentor with one mentee (a pair) or several (a group), in one form of mentoring."""

    @event("Formed")
    def __init__(
        self,
        organization_id: UUID,
        mentor_id: UUID,
        mentee_ids: list[UUID],
        form: str,
        kind: str | None,
        program_id: UUID | None,
        started_on: date,
    ) -> None:
        self.organization_id = organization_id
        self.mentor_id = mentor_id
        self.form = form
        self.kind = kind
        self.program_id = program_id
        self.started_on = started_on
        self.start_source = 1
        # mentee id -> the day they joined (the formation date for the founding mentees)
        self.mentees: dict[str, date] = {str(m): started_on for m in mentee_ids}
        self.status = PairStatus.ACTIVE.value
        # (mentor id, first day): who led the pair from when; a mentor leaving passes it on
        self.mentor_history: list[tuple[str, date]] = [(str(mentor_id), started_on)]
        self.ended_on: date | None = None
        self.outcome: str | None = None
        self.end_reason: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == PairStatus.ACTIVE

    def spans(self) -> list[Span]:
        """Each mentee's days in this pair, as the registry knows them."""
        return spans_of(str(self.id), self.form, self.mentees, self.ended_on)

    def spans_led_by(self, mentor_id: UUID | str) -> list[Span]:
        """The days of this pair a mentor led: all of them, or their part when it passed hands."""
        spans = self.spans()
        if len(self.mentor_history) == 1:
            return spans if self.mentor_history[0][0] == str(mentor_id) else []
        out: list[Span] = []
        for index, (led_by, since) in enumerate(self.mentor_history):
            if led_by == str(mentor_id):
                until = self.mentor_history[index + 1][1] if index + 1 < len(self.mentor_history) else None
                out.extend(clip(spans, since, until))
        return out

    def _current_part(self, spans: list[Span]) -> list[Span]:
        return spans if len(self.mentor_history) == 1 else clip(spans, self.mentor_history[-1][1], None)

    def _require_schedule(
        self,
        proposed: list[Span],
        mentor: Mentor,
        schedule: Schedule,
        *,
        field: str = "pair_id",
        mentees: list[Mentee] | tuple[Mentee, ...] = (),
    ) -> None:
        """Spans replacing all of this pair's: they fit the mentor, each mentee's other pairs and
        (for the `mentees` given) the organization each belonged to on those days."""
        mentor.require_schedule(self._current_part(proposed), schedule.mentor)
        by_id = {str(m.id): m for m in mentees}
        for span in proposed:
            require_one_pair_per_form(schedule.of_mentee(span.mentee_id), [span], field=field)
            if span.mentee_id in by_id:
                by_id[span.mentee_id].require_belongs(self.organization_id, span.start, span.last_known_day, field=field)

    def _require_active(self) -> None:
        require(
            self.is_active,
            rule="pair_active",
            field="pair_id",
            message="Пара уже завершена или расформирована",
        )

    def add_mentee(
        self, mentee: Mentee, mentor: Mentor, joined_on: date, today: date, schedule: Schedule
    ) -> None:
        """Turn a pair into a group, or grow a group (`schedule`: the people's other pairs)."""
        self._require_active()
        require(
            str(mentee.id) not in self.mentees,
            rule="mentee_once_per_pair",
            field="mentee_id",
            message="Наставляемый уже в этой паре (группе)",
        )
        require_not_future(joined_on, field="joined_on", today=today)
        require(
            joined_on >= self.started_on,
            rule="date_order",
            field="joined_on",
            message="Наставляемый не может войти в пару раньше её формирования",
        )
        # The join shows the whole group runs that day: the founders' known days grow with it.
        grown = spans_of(str(self.id), self.form, {**self.mentees, str(mentee.id): joined_on}, self.ended_on)
        self._require_schedule(grown, mentor, schedule, field="mentee_id", mentees=[mentee])
        mentor.take_mentees(self.id, [mentee.id], self._current_part(grown), schedule.mentor)
        mentee.enroll(self.id, self.form, grown[-1], schedule.of_mentee(str(mentee.id)), field="mentee_id")
        self._mentee_added(mentee_id=mentee.id, joined_on=joined_on)

    @event("MenteeAdded")
    def _mentee_added(self, mentee_id: UUID, joined_on: date) -> None:
        self.mentees[str(mentee_id)] = joined_on

    def complete(
        self,
        ended_on: date,
        outcome: str,
        mentor: Mentor,
        mentees: list[Mentee],
        today: date,
        schedule: Schedule,
    ) -> None:
        self._require_end(ended_on, today)
        outcome = outcome.strip()
        require(bool(outcome), rule="outcome_required", field="outcome", message="Нужно описать результат")
        ended = spans_of(str(self.id), self.form, self.mentees, ended_on)
        self._require_schedule(ended, mentor, schedule, mentees=mentees)
        self._release(mentor, mentees)
        self._completed(ended_on=ended_on, outcome=outcome)

    @event("Completed")
    def _completed(self, ended_on: date, outcome: str) -> None:
        self.status = PairStatus.COMPLETED.value
        self.ended_on = ended_on
        self.outcome = outcome

    def dissolve(
        self,
        ended_on: date,
        reason: str,
        mentor: Mentor,
        mentees: list[Mentee],
        today: date,
        schedule: Schedule,
    ) -> None:
        self._require_end(ended_on, today)
        reason = require_reason(reason)
        ended = spans_of(str(self.id), self.form, self.mentees, ended_on)
        self._require_schedule(ended, mentor, schedule, mentees=mentees)
        self._release(mentor, mentees)
        self._dissolved(ended_on=ended_on, reason=reason)

    @event("Dissolved")
    def _dissolved(self, ended_on: date, reason: str) -> None:
        self.status = PairStatus.DISSOLVED.value
        self.ended_on = ended_on
        self.end_reason = reason

    def correct_start(
        self,
        started_on: date,
        reason: str,
        today: date,
        mentor: Mentor,
        schedule: Schedule,
        mentees: list[Mentee] | tuple[Mentee, ...] = (),
    ) -> None:
        """Correct the formation date entered wrongly; the mentees' join dates follow it."""
        require(
            len(self.mentor_history) == 1,
            rule="pair_transferred",
            field="started_on",
            message="Пара уже передана другому наставнику: дату формирования исправить нельзя",
        )
        require_not_future(started_on, field="started_on", today=today)
        latest_allowed = self.ended_on or today
        require(
            started_on <= latest_allowed,
            rule="date_order",
            field="started_on",
            message="Дата формирования позже даты завершения пары",
        )
        moved = spans_of(str(self.id), self.form, self._mentees_from(started_on), self.ended_on)
        self._require_schedule(moved, mentor, schedule, mentees=mentees)
        self._start_corrected(
            started_on=started_on, corrects_version=self.start_source, reason=require_reason(reason)
        )

    @event("StartCorrected")
    def _start_corrected(self, started_on: date, corrects_version: int, reason: str) -> None:
        self.mentees = self._mentees_from(started_on)
        self.mentor_history = [(self.mentor_history[0][0], started_on)]
        self.started_on = started_on
        self.start_source = self.version + 1

    def _mentees_from(self, started_on: date) -> dict[str, date]:
        """Join dates once the start moves: the founders and anyone before it move with it."""
        return {
            mentee_id: started_on if joined_on == self.started_on or joined_on < started_on else joined_on
            for mentee_id, joined_on in self.mentees.items()
        }

    def transfer(
        self, new_mentor: Mentor, old_mentor: Mentor, on: date, reason: str, today: date, schedule: Schedule
    ) -> None:
        """The pair passes to another mentor on a date (a mentor leaves mid-year); the mentees'
        involvement goes on uninterrupted. `schedule`: the new mentor's other pairs."""
        self._require_active()
        require_not_future(on, field="transferred_on", today=today)
        since = self.mentor_history[-1][1]
        require(
            on > since,
            rule="date_order",
            field="transferred_on",
            message=f"Дата передачи должна быть позже {since:%d.%m.%Y} — начала работы нынешнего наставника",
        )
        require(
            new_mentor.id != self.mentor_id,
            rule="mentor_changes",
            field="mentor_id",
            message="Пару ведёт этот же наставник",
        )
        reason = require_reason(reason)
        new_part = clip(self.spans(), on, None)
        new_mentor.take_mentees(self.id, [UUID(m) for m in self.mentees], new_part, schedule.mentor)
        old_mentor.release_pair(self.id)
        self._mentor_changed(mentor_id=new_mentor.id, changed_on=on, reason=reason)

    @event("MentorChanged")
    def _mentor_changed(self, mentor_id: UUID, changed_on: date, reason: str) -> None:
        self.mentor_id = mentor_id
        self.mentor_history = [*self.mentor_history, (str(mentor_id), changed_on)]

    def _require_end(self, ended_on: date, today: date) -> None:
        self._require_active()
        require_not_future(ended_on, field="ended_on", today=today)
        handed_over = self.mentor_history[-1][1]
        require(
            len(self.mentor_history) == 1 or ended_on >= handed_over,
            rule="completion_after_formation",
            field="ended_on",
            message=f"Дата завершения раньше {handed_over:%d.%m.%Y} — передачи пары нынешнему наставнику",
        )
        last_join = max(self.mentees.values())
        require(
            ended_on >= last_join,
            rule="completion_after_formation",
            field="ended_on",
            message=f"Дата завершения раньше {last_join:%d.%m.%Y} — формирования пары",
        )

    def _release(self, mentor: Mentor, mentees: list[Mentee]) -> None:
        mentor.release_pair(self.id)
        for mentee in mentees:
            mentee.leave(self.id)


def form_pair(
    *,
    organization_id: UUID,
    mentor: Mentor,
    mentees: list[Mentee],
    form: str,
    kind: str | None,
    program_id: UUID | None,
    started_on: date,
    today: date,
    schedule: Schedule,
) -> Pair:
    """Form a pair or group: the mentor is in the registry and has room on its days, the
    mentees are ours and in no other pair of the form then (`schedule`: their other pairs)."""
    require(bool(mentees), rule="required", field="mentee_ids", message="Нужен хотя бы один наставляемый")
    ids = [m.id for m in mentees]
    require(
        len(set(ids)) == len(ids),
        rule="mentee_once_per_pair",
        field="mentee_ids",
        message="Наставляемый указан дважды",
    )
    require_not_future(started_on, field="started_on", today=today)
    for mentee in mentees:
        mentee.require_belongs(organization_id, started_on, started_on, field="mentee_ids")
    pair = Pair(
        organization_id=organization_id,
        mentor_id=mentor.id,
        mentee_ids=ids,
        form=form,
        kind=kind,
        program_id=program_id,
        started_on=started_on,
    )
    spans = pair.spans()
    mentor.take_mentees(pair.id, ids, spans, schedule.mentor)
    for mentee, span in zip(mentees, spans, strict=True):
        mentee.enroll(pair.id, form, span, schedule.of_mentee(str(mentee.id)))
    return pair

