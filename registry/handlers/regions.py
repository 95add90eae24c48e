"""Handlers of the region as a unit: registered with its code and name, renamed."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.base import require
from registry.context import CommandContext
from registry.handlers.table import handles
from registry.regions import Region, region_id


@handles(c.RegisterRegion)
def register_region(ctx: CommandContext, cmd: c.RegisterRegion) -> Aggregate:
    require(
        region_id(cmd.code) not in ctx.app.repository,
        rule="region_unique",
        field="code",
        message=f"Регион с кодом {cmd.code} уже есть в реестре",
    )
    region = Region(code=cmd.code, name=cmd.name)
    ctx.add(region)
    return region


@handles(c.RenameRegion)
def rename_region(ctx: CommandContext, cmd: c.RenameRegion) -> Aggregate:
    region = ctx.get(Region, region_id(cmd.code), field="code", entity="region")
    region.rename(cmd.name, cmd.reason)
    return region
