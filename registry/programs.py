"""Mentoring programs and their outputs (продукты наставнической деятельности)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_not_future, require_reason
from registry.values import Document


@pinned("Program")
class Program(RegistryAggregate):
    """A program an organization adopts by order; outputs are recorded against it."""

    @event("Adopted")
    def __init__(
        self,
        organization_id: UUID,
        title: str,
        forms: list[str],
        starts_on: date,
        ends_on: date | None,
        order: Document | None,
        personalized: bool,
    ) -> None:
        self.organization_id = organization_id
        self.title = title
        self.forms = list(forms)
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.order = order
        self.personalized = personalized
        # output id -> {"kind", "title", "produced_on", "evidence_link", "pair_id"}
        self.outputs: dict[str, dict[str, Any]] = {}

    @classmethod
    def adopt(
        cls,
        organization_id: UUID,
        title: str,
        forms: list[str],
        starts_on: date,
        ends_on: date | None,
        order: Document | None,
        personalized: bool,
        today: date,
    ) -> Program:
        require_not_future(starts_on, field="starts_on", today=today)
        require(
            ends_on is None or ends_on >= starts_on,
            rule="date_order",
            field="ends_on",
            message="Программа не может закончиться раньше, чем началась",
        )
        return cls(
            organization_id=organization_id,
            title=title,
            forms=forms,
            starts_on=starts_on,
            ends_on=ends_on,
            order=order,
            personalized=personalized,
        )

    def record_output(
        self,
        output_id: str,
        kind: str,
        title: str,
        produced_on: date,
        evidence_link: str | None,
        pair_id: UUID | None,
        today: date,
    ) -> None:
        require(
            output_id not in self.outputs,
            rule="output_unique",
            field="output_id",
            message="Этот продукт уже учтён",
        )
        require_not_future(produced_on, field="produced_on", today=today)
        require(
            produced_on >= self.starts_on,
            rule="date_order",
            field="produced_on",
            message="Продукт получен раньше начала программы",
        )
        self._output_recorded(
            output_id=output_id,
            kind=kind,
            title=title,
            produced_on=produced_on,
            evidence_link=evidence_link,
            pair_id=pair_id,
        )

    @event("OutputRecorded")
    def _output_recorded(
        self,
        output_id: str,
        kind: str,
        title: str,
        produced_on: date,
        evidence_link: str | None,
        pair_id: UUID | None,
    ) -> None:
        self.outputs[output_id] = {
            "kind": kind,
            "title": title,
            "produced_on": produced_on,
            "evidence_link": evidence_link,
            "pair_id": pair_id,
            "source_version": self.version + 1,
        }

    def retract_output(self, output_id: str, reason: str) -> None:
        """A wrongly recorded output is retracted, never deleted: the retraction names it."""
        require(
            output_id in self.outputs,
            rule="output_exists",
            field="output_id",
            message="Такого продукта у программы нет",
        )
        self._output_retracted(
            output_id=output_id,
            corrects_version=int(self.outputs[output_id]["source_version"]),
            reason=require_reason(reason),
        )

    @event("OutputRetracted")
    def _output_retracted(self, output_id: str, corrects_version: int, reason: str) -> None:
        del self.outputs[output_id]


@pinned("TargetPlan")
class TargetPlan(RegistryAggregate):
    """Yearly target shares of one indicator for one unit (region, municipality, organization)."""

    @staticmethod
    def create_id(indicator: str, unit_kind: str, unit_id: str) -> UUID:
        return target_plan_id(indicator, unit_kind, unit_id)

    @event("Created")
    def __init__(self, indicator: str, unit_kind: str, unit_id: str) -> None:
        self.indicator = indicator
        self.unit_kind = unit_kind
        self.unit_id = unit_id
        # year -> target share in percent
        self.targets: dict[str, Decimal] = {}

    def set_target(self, year: int, share_percent: Decimal, reason: str | None) -> None:
        """Set a year's target; changing one already set is a correction and needs a reason."""
        require(
            Decimal(0) <= share_percent <= Decimal(100),
            rule="percent_range",
            field="share_percent",
            message="Доля должна быть от 0 до 100 %",
        )
        if str(year) in self.targets:
            reason = require_reason(reason)
        self._target_set(year=year, share_percent=share_percent, reason=reason)

    @event("TargetSet")
    def _target_set(self, year: int, share_percent: Decimal, reason: str | None) -> None:
        self.targets[str(year)] = share_percent


def target_plan_id(indicator: str, unit_kind: str, unit_id: str) -> UUID:
    """One plan per indicator and unit, so its id follows from them."""
    return uuid5(NAMESPACE_URL, f"reestr:target-plan:{indicator}:{unit_kind}:{unit_id}")
