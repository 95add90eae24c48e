"""Monitoring rounds (мониторинг): what the institute or a municipality asks its organizations for, by when.

A round states what is asked (the contingent of a year, checklist items, program outputs of the
year, pairs of the year), of whom (organizations by kind, all of the region or of one
municipality) and the deadline. It records no «submitted» click: whether an organization
submitted, and in time, follows from the facts it recorded (see `projections/rounds.py`).
Closing a round freezes its report at the closing position.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_not_future


class AskedFact(StrEnum):
    """What a round may ask for; checklist items are named separately by their codes."""

    CONTINGENT = "contingent"  # the contingent (denominators) of the round's year
    CHECKLIST = "checklist"  # the checklist items the round names
    OUTPUTS = "outputs"  # at least one program output produced in the round's year
    PAIRS = "pairs"  # at least one pair (group) formed by the end of the round's year


ASKED_RU = {
    AskedFact.CONTINGENT: "контингент за год",
    AskedFact.CHECKLIST: "пункты чек-листа",
    AskedFact.OUTPUTS: "продукты программ за год",
    AskedFact.PAIRS: "пары и группы года",
}


def require_time_zone(name: str, field: str = "time_zone") -> None:
    """The deadline ends at midnight of the region's time zone, which must exist."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        require(False, rule="time_zone", field=field, message=f"Неизвестный часовой пояс «{name}»")


@pinned("MonitoringRound")
class MonitoringRound(RegistryAggregate):
    """One round of monitoring: asked facts, addressees by kind and municipality, a deadline."""

    @event("Opened")
    def __init__(
        self,
        title: str,
        year: int,
        asked: list[str],
        checklist_items: list[str],
        organization_kinds: list[str],
        municipality_id: UUID | None,
        opened_on: date,
        due_on: date,
        time_zone: str,
        reminders_to: list[str],
    ) -> None:
        self.title = title
        self.year = year
        self.asked = asked
        self.checklist_items = checklist_items
        self.organization_kinds = organization_kinds
        self.municipality_id = municipality_id
        self.opened_on = opened_on
        self.due_on = due_on
        self.time_zone = time_zone
        self.reminders_to = reminders_to
        self.closed_on: date | None = None

    @classmethod
    def open(
        cls,
        *,
        title: str,
        year: int,
        asked: list[str],
        checklist_items: list[str],
        organization_kinds: list[str],
        municipality_id: UUID | None,
        opened_on: date,
        due_on: date,
        time_zone: str,
        reminders_to: list[str],
        today: date,
    ) -> MonitoringRound:
        """Open a round; a round may be entered after its letter (opened_on in the past)."""
        require(bool(asked), rule="required", field="asked", message="Нужно указать, что запрашивается")
        require(
            len(set(asked)) == len(asked), rule="unique", field="asked", message="Одно и то же указано дважды"
        )
        has_checklist = AskedFact.CHECKLIST.value in asked
        require(
            has_checklist == bool(checklist_items),
            rule="checklist_items_required" if has_checklist else "checklist_not_asked",
            field="checklist_items",
            message=(
                "Нужно перечислить запрашиваемые пункты чек-листа"
                if has_checklist
                else "Пункты чек-листа перечислены, но чек-лист не запрашивается"
            ),
        )
        require(
            len(set(checklist_items)) == len(checklist_items),
            rule="unique",
            field="checklist_items",
            message="Пункт чек-листа указан дважды",
        )
        require(
            bool(organization_kinds), rule="required", field="organization_kinds",
            message="Нужно указать виды организаций, которых опрашивают",
        )
        require_not_future(opened_on, field="opened_on", today=today)
        require(
            due_on >= opened_on,
            rule="date_order",
            field="due_on",
            message=f"Срок {due_on:%d.%m.%Y} раньше даты объявления {opened_on:%d.%m.%Y}",
        )
        require(
            year <= due_on.year,
            rule="year_not_after_deadline",
            field="year",
            message=f"Сведения за {year} год нельзя собрать к {due_on:%d.%m.%Y}",
        )
        require_time_zone(time_zone)
        return cls(
            title=title,
            year=year,
            asked=list(asked),
            checklist_items=list(checklist_items),
            organization_kinds=sorted(set(organization_kinds)),
            municipality_id=municipality_id,
            opened_on=opened_on,
            due_on=due_on,
            time_zone=time_zone,
            reminders_to=list(reminders_to),
        )

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def close(self, closed_on: date, today: date) -> None:
        """Close the round: its report stays as it was at this position."""
        require(self.is_open, rule="round_open", field="round_id", message="Мониторинг уже закрыт")
        require_not_future(closed_on, field="closed_on", today=today)
        require(
            closed_on >= self.opened_on,
            rule="date_order",
            field="closed_on",
            message="Дата закрытия раньше даты объявления мониторинга",
        )
        self._closed(closed_on=closed_on)

    @event("Closed")
    def _closed(self, closed_on: date) -> None:
        self.closed_on = closed_on
