"""What a yearly target may name: a known indicator and a unit that exists.

The indicators' definitions live with the indicator engine (`projections.indicators`); the
registry keeps only their codes, so a target for an indicator nobody computes is refused before
it is recorded (a test keeps both lists equal).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry.base import require

INDICATOR_CODES = ("pupils_10_19", "pupils_15_19", "young_teachers", "extra_ed")


def require_indicator(code: str) -> None:
    """The target's indicator is one the reports compute."""
    require(
        code in INDICATOR_CODES,
        rule="indicator_known",
        field="indicator",
        message=f"Показателя «{code}» нет: нужен один из {', '.join(INDICATOR_CODES)}",
    )


def unit_uuid(unit_id: str) -> UUID:
    """A municipality's or organization's id as the command gives it (text)."""
    try:
        return UUID(unit_id)
    except ValueError:
        require(False, rule="unit_exists", field="unit_id", message=f"«{unit_id}» — не идентификатор единицы")
        raise  # unreachable: require raised


def require_unit(ctx: Any, unit_kind: str, unit_id: str) -> None:
    """The unit named by a target exists: a registered region (by its code), a municipality, an organization."""
    from registry.organizations import Municipality, Organization
    from registry.regions import require_region

    if unit_kind == "region":
        require_region(ctx.app, unit_id, field="unit_id")
    elif unit_kind == "municipality":
        ctx.get(Municipality, unit_uuid(unit_id), field="unit_id", entity="municipality")
    elif unit_kind == "organization":
        ctx.get(Organization, unit_uuid(unit_id), field="unit_id", entity="organization")
