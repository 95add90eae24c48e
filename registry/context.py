"""One command's unit of work, handed to the command handlers."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from registry.errors import Forbidden, NotFound, RuleViolation
from registry.values import Actor, Role

if TYPE_CHECKING:
    from registry.application import Registry

A = TypeVar("A", bound=Aggregate)


class CommandContext:
    """One command's unit of work: loads what it needs, checks scope, collects what changed."""

    def __init__(self, app: Registry, actor: Actor, today: date):
        self.app = app
        self.actor = actor
        self.today = today
        self._touched: dict[UUID, Aggregate] = {}

    def get(self, cls: type[A], aggregate_id: UUID, *, field: str, entity: str) -> A:
        """The aggregate, loaded once per command; NotFound names the field that pointed at it."""
        if aggregate_id in self._touched:
            found = self._touched[aggregate_id]
        else:
            try:
                found = self.app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                raise NotFound(entity, aggregate_id, field=field) from None
        if not isinstance(found, cls):
            raise NotFound(entity, aggregate_id, field=field)
        self._touched[aggregate_id] = found
        return found

    def add(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            self._touched[aggregate.id] = aggregate

    def changed(self) -> list[Aggregate]:
        return [a for a in self._touched.values() if a.pending_events]

    def require_scope(self, organization_id: UUID) -> None:
        """A curator writes for its own organization only."""
        if self.actor.role == Role.CURATOR and str(organization_id) != self.actor.organization_id:
            raise Forbidden("Куратор может вносить данные только своей организации")

    def require_code(self, kind: str, code: str, field: str) -> None:
        """The code must be an active entry of the region's reference list."""
        reference = self.app.reference_list(kind)
        if code not in reference.active_codes():
            raise RuleViolation(
                rule="reference_code",
                field=field,
                message=f"Значения «{code}» нет в справочнике (или оно выведено из употребления)",
            )

