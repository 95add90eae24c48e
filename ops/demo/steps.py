"""The plan's steps: what the planner writes down and the loader sends through the registry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from registry import commands as c


@dataclass(frozen=True)
class Ref:
    """A thing the plan creates, whose id the registry gives when its command runs."""

    kind: str
    index: int


@dataclass(frozen=True)
class Step:
    """One command of the plan, run on its effective date; phase orders one day's steps."""

    on: date
    phase: int
    seq: int
    org: int | None  # the curator's organization; None: the institute's admin
    command: type[c.Command]
    fields: dict[str, Any]
    creates: Ref | None = None


# Within one day: units, then mentors, mentees and programs, then ends before formations
# (a mentee or a mentor's load freed in the morning may be taken the same day), then the rest.
P_UNIT, P_ORG, P_CONTINGENT, P_TARGET, P_PROGRAM = 0, 1, 2, 3, 4
P_APPLY, P_DECIDE, P_PROFILE, P_CONSENT, P_TRAINING = 5, 6, 7, 8, 9
P_MENTEE, P_PAIR_END, P_PAIR_FORM, P_PAIR_JOIN, P_OUTPUT = 10, 11, 12, 13, 14
P_STATUS, P_REINSTATE, P_CHECKLIST = 15, 16, 17
