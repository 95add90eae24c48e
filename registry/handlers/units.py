"""Handlers of units, reference lists and targets."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.base import require_not_future
from registry.context import CommandContext
from registry.handlers import lookups
from registry.handlers.table import handles
from registry.organizations import Municipality, Organization
from registry.programs import TargetPlan, target_plan_id
from registry.reference import ListKind
from registry.targets import require_indicator, require_unit
from registry.values import (
    Contingent,
)


@handles(c.RegisterMunicipality)
def register_municipality(ctx: CommandContext, cmd: c.RegisterMunicipality) -> Aggregate:
    municipality = Municipality(name=cmd.name, region=cmd.region, code=cmd.code)
    ctx.add(municipality)
    return municipality


@handles(c.RenameMunicipality)
def rename_municipality(ctx: CommandContext, cmd: c.RenameMunicipality) -> Aggregate:
    municipality = ctx.get(Municipality, cmd.municipality_id, field="municipality_id", entity="municipality")
    municipality.rename(cmd.name, cmd.reason)
    return municipality


@handles(c.RegisterOrganization)
def register_organization(ctx: CommandContext, cmd: c.RegisterOrganization) -> Aggregate:
    ctx.get(Municipality, cmd.municipality_id, field="municipality_id", entity="municipality")
    require_not_future(cmd.registered_on, field="registered_on", today=ctx.today)
    organization = Organization(
        name=cmd.name,
        kind=cmd.kind.value,
        municipality_id=cmd.municipality_id,
        inn=cmd.inn,
        registered_on=cmd.registered_on,
    )
    ctx.add(organization)
    return organization


@handles(c.RenameOrganization)
def rename_organization(ctx: CommandContext, cmd: c.RenameOrganization) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.rename(cmd.name, cmd.effective_date, cmd.reason, ctx.today)
    return organization


@handles(c.CloseOrganization)
def close_organization(ctx: CommandContext, cmd: c.CloseOrganization) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.close(cmd.effective_date, cmd.reason, ctx.today)
    return organization


@handles(c.ReportContingent)
def report_contingent(ctx: CommandContext, cmd: c.ReportContingent) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.report_contingent(cmd.year, Contingent(**cmd.figures.model_dump()), ctx.today)
    return organization


@handles(c.CorrectContingent)
def correct_contingent(ctx: CommandContext, cmd: c.CorrectContingent) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.correct_contingent(cmd.year, Contingent(**cmd.figures.model_dump()), cmd.reason)
    return organization


@handles(c.CompleteChecklistItem)
def complete_checklist_item(ctx: CommandContext, cmd: c.CompleteChecklistItem) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    ctx.require_code(ListKind.CHECKLIST_ITEM, cmd.item, "item")
    document = lookups.document(cmd.document)
    assert document is not None
    organization.complete_checklist_item(cmd.item, document, cmd.completed_on, ctx.today)
    return organization


@handles(c.ReopenChecklistItem)
def reopen_checklist_item(ctx: CommandContext, cmd: c.ReopenChecklistItem) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.reopen_checklist_item(cmd.item, cmd.reason)
    return organization


@handles(c.AddReferenceEntry)
def add_reference_entry(ctx: CommandContext, cmd: c.AddReferenceEntry) -> Aggregate:
    reference = ctx.app.reference_list(cmd.list_kind)
    ctx.add(reference)
    reference.add(cmd.code, cmd.title)
    return reference


@handles(c.RenameReferenceEntry)
def rename_reference_entry(ctx: CommandContext, cmd: c.RenameReferenceEntry) -> Aggregate:
    reference = ctx.app.reference_list(cmd.list_kind)
    ctx.add(reference)
    reference.rename(cmd.code, cmd.title)
    return reference


@handles(c.RetireReferenceEntry)
def retire_reference_entry(ctx: CommandContext, cmd: c.RetireReferenceEntry) -> Aggregate:
    reference = ctx.app.reference_list(cmd.list_kind)
    ctx.add(reference)
    reference.retire(cmd.code, cmd.reason)
    return reference


@handles(c.SetTarget)
def set_target(ctx: CommandContext, cmd: c.SetTarget) -> Aggregate:
    require_indicator(cmd.indicator)
    require_unit(ctx, cmd.unit_kind, cmd.unit_id)
    plan_id = target_plan_id(cmd.indicator, cmd.unit_kind, cmd.unit_id)
    if plan_id in ctx.app.repository:
        plan = ctx.get(TargetPlan, plan_id, field="indicator", entity="target_plan")
    else:
        plan = TargetPlan(indicator=cmd.indicator, unit_kind=cmd.unit_kind, unit_id=cmd.unit_id)
        ctx.add(plan)
    plan.set_target(cmd.year, cmd.share_percent, cmd.reason)
    return plan
