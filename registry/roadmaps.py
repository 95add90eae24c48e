"""Roadmaps (дорожные карты): checklist items with a deadline, a responsible person and the
kind of document that proves them, set for the organizations of the region or of a municipality.

Whether an organization met an item follows from its checklist (`ChecklistItemCompleted` with
its `completed_on`); the roadmap only says by when and in what document.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_reason


class DocumentKind(StrEnum):
    """What the roadmaps of the letters expect as the result of an item."""

    ORDER = "order"
    REGULATION = "regulation"
    ROADMAP = "roadmap"
    WEBSITE_SECTION = "website_section"
    PROGRAM = "program"
    OTHER = "other"


DOCUMENT_KIND_RU = {
    DocumentKind.ORDER: "приказ",
    DocumentKind.REGULATION: "положение",
    DocumentKind.ROADMAP: "дорожная карта",
    DocumentKind.WEBSITE_SECTION: "раздел сайта",
    DocumentKind.PROGRAM: "программа наставничества",
    DocumentKind.OTHER: "иной документ",
}


def roadmap_id(municipality_id: UUID | None) -> UUID:
    """One roadmap for the region and one per municipality, so its id follows from the unit."""
    unit = f"municipality:{municipality_id}" if municipality_id else "region"
    return uuid5(NAMESPACE_URL, f"reestr:roadmap:{unit}")


@pinned("Roadmap")
class Roadmap(RegistryAggregate):
    """The roadmap of the region (no municipality) or of one municipality: item code -> plan."""

    @staticmethod
    def create_id(municipality_id: UUID | None) -> UUID:
        return roadmap_id(municipality_id)

    @event("Created")
    def __init__(self, municipality_id: UUID | None) -> None:
        self.municipality_id = municipality_id
        # checklist item code -> {"due_on", "responsible", "document_kind"}
        self.items: dict[str, dict[str, object]] = {}

    def plan_item(
        self, item: str, due_on: date, responsible: str, document_kind: str, reason: str | None
    ) -> None:
        """Set an item's deadline; changing an item already planned needs a reason."""
        responsible = responsible.strip()
        require(bool(responsible), rule="required", field="responsible", message="Нужно указать ответственного")
        if item in self.items:
            reason = require_reason(reason)
            current = self.items[item]
            require(
                (current["due_on"], current["responsible"], current["document_kind"])
                != (due_on, responsible, document_kind),
                rule="nothing_changed",
                field="item",
                message="Пункт дорожной карты уже запланирован так же",
            )
        self._item_planned(
            item=item, due_on=due_on, responsible=responsible, document_kind=document_kind, reason=reason
        )

    @event("ItemPlanned")
    def _item_planned(
        self, item: str, due_on: date, responsible: str, document_kind: str, reason: str | None
    ) -> None:
        self.items[item] = {"due_on": due_on, "responsible": responsible, "document_kind": document_kind}

    def drop_item(self, item: str, reason: str) -> None:
        require(
            item in self.items,
            rule="roadmap_item_planned",
            field="item",
            message="Такого пункта в дорожной карте нет",
        )
        self._item_dropped(item=item, reason=require_reason(reason))

    @event("ItemDropped")
    def _item_dropped(self, item: str, reason: str) -> None:
        del self.items[item]
