"""Units of the region: municipalities and organizations, with contingents and checklists."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_not_future, require_reason
from registry.values import Contingent, Document


@pinned("Municipality")
class Municipality(RegistryAggregate):
    """A municipal district or city district (муниципальный район / городской округ)."""

    @event("Registered")
    def __init__(self, name: str, region: str, code: str | None) -> None:
        self.name = name
        self.region = region
        self.code = code

    def rename(self, name: str, reason: str) -> None:
        self._renamed(name=name, reason=require_reason(reason))

    @event("Renamed")
    def _renamed(self, name: str, reason: str) -> None:
        self.name = name


@pinned("Organization")
class Organization(RegistryAggregate):
    """An educational organization (ОО): its contingents per year and its checklist."""

    @event("Registered")
    def __init__(
        self,
        name: str,
        kind: str,
        municipality_id: UUID,
        inn: str | None,
        registered_on: date,
    ) -> None:
        self.name = name
        self.kind = kind
        self.municipality_id = municipality_id
        self.inn = inn
        self.registered_on = registered_on
        self.closed_on: date | None = None
        # year (as str: JSON keys) -> figures
        self.contingents: dict[str, Contingent] = {}
        # year -> version of the event that set the figures in force (what a correction corrects)
        self.contingent_sources: dict[str, int] = {}
        # item code -> {"document": Document, "completed_on": date}
        self.checklist: dict[str, dict[str, Any]] = {}

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def require_open(self, field: str = "organization_id") -> None:
        require(
            self.is_open,
            rule="organization_open",
            field=field,
            message=f"Организация «{self.name}» закрыта",
        )

    def rename(self, name: str, effective_date: date, reason: str, today: date) -> None:
        self.require_open()
        require_not_future(effective_date, field="effective_date", today=today)
        self._renamed(name=name, effective_date=effective_date, reason=require_reason(reason))

    @event("Renamed")
    def _renamed(self, name: str, effective_date: date, reason: str) -> None:
        self.name = name

    def close(self, effective_date: date, reason: str, today: date) -> None:
        self.require_open()
        require_not_future(effective_date, field="effective_date", today=today)
        require(
            effective_date >= self.registered_on,
            rule="close_after_registration",
            field="effective_date",
            message="Дата закрытия раньше даты регистрации организации",
        )
        self._closed(effective_date=effective_date, reason=require_reason(reason))

    @event("Closed")
    def _closed(self, effective_date: date, reason: str) -> None:
        self.closed_on = effective_date

    def report_contingent(self, year: int, figures: Contingent, today: date) -> None:
        """First report of a year's denominators; a second one must be a correction."""
        require(
            str(year) not in self.contingents,
            rule="contingent_reported_once",
            field="year",
            message=f"Контингент за {year} год уже внесён; исправление вносится с указанием причины",
        )
        require(
            year <= today.year,
            rule="date_not_in_future",
            field="year",
            message=f"{year} год ещё не наступил",
        )
        _require_consistent(figures)
        self._contingent_reported(year=year, figures=figures)

    @event("ContingentReported")
    def _contingent_reported(self, year: int, figures: Contingent) -> None:
        self.contingents[str(year)] = figures
        self.contingent_sources[str(year)] = self.version + 1

    def correct_contingent(self, year: int, figures: Contingent, reason: str) -> None:
        """Replace a year's figures, naming the event corrected and why."""
        require(
            str(year) in self.contingents,
            rule="contingent_exists",
            field="year",
            message=f"Контингент за {year} год ещё не вносился — исправлять нечего",
        )
        _require_consistent(figures)
        self._contingent_corrected(
            year=year,
            figures=figures,
            corrects_version=self.contingent_sources[str(year)],
            reason=require_reason(reason),
        )

    @event("ContingentCorrected")
    def _contingent_corrected(
        self, year: int, figures: Contingent, corrects_version: int, reason: str
    ) -> None:
        self.contingents[str(year)] = figures
        self.contingent_sources[str(year)] = self.version + 1

    def complete_checklist_item(
        self, item: str, document: Document, completed_on: date, today: date
    ) -> None:
        self.require_open()
        require(
            item not in self.checklist,
            rule="checklist_item_open",
            field="item",
            message="Пункт уже отмечен выполненным; чтобы заменить документ, сначала снимите отметку с указанием причины",
        )
        require_not_future(completed_on, field="completed_on", today=today)
        require(
            bool(document.number or document.link),
            rule="checklist_document_required",
            field="document",
            message="Нужен подтверждающий документ: номер или ссылка",
        )
        self._checklist_item_completed(item=item, document=document, completed_on=completed_on)

    @event("ChecklistItemCompleted")
    def _checklist_item_completed(self, item: str, document: Document, completed_on: date) -> None:
        self.checklist[item] = {"document": document, "completed_on": completed_on}

    def reopen_checklist_item(self, item: str, reason: str) -> None:
        require(
            item in self.checklist,
            rule="checklist_item_completed",
            field="item",
            message="Этот пункт чек-листа не отмечен выполненным",
        )
        self._checklist_item_reopened(item=item, reason=require_reason(reason))

    @event("ChecklistItemReopened")
    def _checklist_item_reopened(self, item: str, reason: str) -> None:
        del self.checklist[item]


def _require_consistent(figures: Contingent) -> None:
    """Sub-groups cannot exceed the whole; a blank figure stays unknown, never zero."""
    values = {k: v for k, v in vars(figures).items() if v is not None}
    for name, value in values.items():
        require(value >= 0, rule="non_negative", field=f"figures.{name}", message="Число не может быть отрицательным")
    total = figures.students_total
    for part in ("students_10_19", "students_15_19"):
        value = getattr(figures, part)
        if total is not None and value is not None:
            require(
                value <= total,
                rule="part_not_above_total",
                field=f"figures.{part}",
                message="Часть обучающихся больше их общего числа",
            )
    if figures.students_10_19 is not None and figures.students_15_19 is not None:
        require(
            figures.students_15_19 <= figures.students_10_19,
            rule="part_not_above_total",
            field="figures.students_15_19",
            message="Обучающихся 15–19 лет больше, чем 10–19 лет",
        )
    if figures.teachers_total is not None and figures.young_teachers is not None:
        require(
            figures.young_teachers <= figures.teachers_total,
            rule="part_not_above_total",
            field="figures.young_teachers",
            message="Молодых педагогов больше, чем педагогов всего",
        )

