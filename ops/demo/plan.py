"""The whole region's plan: every step, drawn from one `random.Random` in a fixed order."""

from __future__ import annotations

import random

from ops.demo.plan_mentors import emit_mentors, plan_mentors, plan_status_changes
from ops.demo.plan_pairs import emit_mentees, plan_school_year
from ops.demo.plan_units import (
    plan_checklist,
    plan_contingents,
    plan_outputs,
    plan_programs,
    plan_targets,
    plan_units,
)
from ops.demo.planner import _Planner
from ops.demo.steps import Step


def plan_region(rng: random.Random) -> list[Step]:
    """Plan the whole region.

    The parts draw from `rng` in this order: reordering them changes the region a seed gives.
    """
    planner = _Planner(rng)
    plan_units(planner)
    plan_targets(planner)
    for org in planner.orgs:
        plan_contingents(planner, org)
        plan_programs(planner, org)
        plan_mentors(planner, org)
    plan_status_changes(planner)
    for org in planner.orgs:
        for year in (2020, 2021, 2022):
            if year >= org.start_year:
                plan_school_year(planner, org, year)
    emit_mentors(planner)
    emit_mentees(planner)
    for org in planner.orgs:
        plan_outputs(planner, org)
        plan_checklist(planner, org)
    return planner.steps
