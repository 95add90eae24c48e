"""Handlers of monitoring rounds and roadmaps: the institute for the region, a municipality for its own."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.context import CommandContext
from registry.errors import Forbidden
from registry.handlers.table import handles
from registry.organizations import Municipality
from registry.reference import ListKind
from registry.roadmaps import Roadmap, roadmap_id
from registry.rounds import MonitoringRound
from registry.values import Role


def _require_coordinator_of(ctx: CommandContext, municipality_id: UUID | None) -> None:
    """A municipal coordinator runs rounds of its own municipality only; the region's are the institute's."""
    if ctx.actor.role == Role.MUNICIPAL and (
        municipality_id is None or str(municipality_id) != ctx.actor.municipality_id
    ):
        raise Forbidden(
            "Муниципальный координатор ведёт мониторинг и дорожную карту только своего муниципалитета"
        )


@handles(c.OpenMonitoringRound)
def open_round(ctx: CommandContext, cmd: c.OpenMonitoringRound) -> Aggregate:
    _require_coordinator_of(ctx, cmd.municipality_id)
    if cmd.municipality_id is not None:
        ctx.get(Municipality, cmd.municipality_id, field="municipality_id", entity="municipality")
    for i, item in enumerate(cmd.checklist_items):
        ctx.require_code(ListKind.CHECKLIST_ITEM, item, f"checklist_items.{i}")
    monitoring_round = MonitoringRound.open(
        title=cmd.title,
        year=cmd.year,
        asked=list(cmd.asked),
        checklist_items=list(cmd.checklist_items),
        organization_kinds=[kind.value for kind in cmd.organization_kinds],
        municipality_id=cmd.municipality_id,
        opened_on=cmd.opened_on,
        due_on=cmd.due_on,
        time_zone=cmd.time_zone,
        reminders_to=list(cmd.reminders_to),
        today=ctx.today,
    )
    ctx.add(monitoring_round)
    return monitoring_round


@handles(c.CloseMonitoringRound)
def close_round(ctx: CommandContext, cmd: c.CloseMonitoringRound) -> Aggregate:
    monitoring_round = ctx.get(MonitoringRound, cmd.round_id, field="round_id", entity="monitoring_round")
    _require_coordinator_of(ctx, monitoring_round.municipality_id)
    monitoring_round.close(cmd.closed_on, ctx.today)
    return monitoring_round


# -- roadmaps -------------------------------------------------------------------------------------


@handles(c.PlanRoadmapItem)
def plan_roadmap_item(ctx: CommandContext, cmd: c.PlanRoadmapItem) -> Aggregate:
    roadmap = _roadmap(ctx, cmd.municipality_id)
    ctx.require_code(ListKind.CHECKLIST_ITEM, cmd.item, "item")
    roadmap.plan_item(cmd.item, cmd.due_on, cmd.responsible, cmd.document_kind.value, cmd.reason)
    return roadmap


@handles(c.DropRoadmapItem)
def drop_roadmap_item(ctx: CommandContext, cmd: c.DropRoadmapItem) -> Aggregate:
    roadmap = _roadmap(ctx, cmd.municipality_id)
    roadmap.drop_item(cmd.item, cmd.reason)
    return roadmap


def _roadmap(ctx: CommandContext, municipality_id: UUID | None) -> Roadmap:
    """The unit's roadmap, created on its first item."""
    _require_coordinator_of(ctx, municipality_id)
    if municipality_id is not None:
        ctx.get(Municipality, municipality_id, field="municipality_id", entity="municipality")
    if roadmap_id(municipality_id) in ctx.app.repository:
        return ctx.get(Roadmap, roadmap_id(municipality_id), field="municipality_id", entity="roadmap")
    roadmap = Roadmap(municipality_id=municipality_id)
    ctx.add(roadmap)
    return roadmap
