"""Who may read what: the read side's authorization, decided here and only here.

| what                                  | admin, auditor | municipal            | curator                         |
|---------------------------------------|----------------|----------------------|---------------------------------|
| mentors (the registry)                | all, in full   | its municipality     | its organization in full; of    |
|                                       |                |                      | others only the public entries  |
| organizations, contingents, checklist | all            | its municipality     | its organization                |
| mentees (never public)                | all            | its municipality     | its organization                |
| pairs, programs and their outputs     | all            | its municipality     | its organization                |
| indicators, the dynamics report       | any unit       | its municipality or  | its organization                |
|                                       |                | one of its orgs      |                                 |

A public entry is what the public page shows: a mentor in the registry (active) who consented,
with only the consented fields. Filters never reach past that: a curator filtering other
organizations' mentors by organization, municipality or form only finds those who consented to
show that field.

The SQL of a scope is not here: `ReadScope.area` hands the query modules (`projections.read_sql`
and the `projections.*_reads` modules) the same part of the registry, and they narrow their SQL
to it.

Refusals: a person (mentor, mentee), a pair or a program outside the reader's scope is answered
as if it did not exist (404, the same problem as an unknown id: existence is not disclosed); an
organization, municipality or reporting unit outside it is a 403 (units are not secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from api.auth import current_actor
from api.problems import ApiProblem
from projections.facts import MUNICIPALITY, ORGANIZATION, Unit
from projections.read_sql import MUNICIPALITY_AREA, ORGANIZATION_AREA, WHOLE, Area
from registry.values import Actor, Role

ALL = WHOLE
MUNICIPALITY_SCOPE = MUNICIPALITY_AREA
ORGANIZATION_SCOPE = ORGANIZATION_AREA


@dataclass(frozen=True)
class ReadScope:
    """The part of the registry one actor reads: everything, a municipality or an organization."""

    actor: Actor
    kind: str
    municipality_id: str | None = None
    organization_id: str | None = None

    @property
    def everything(self) -> bool:
        return self.kind == ALL

    @property
    def public_registry(self) -> bool:
        """Whether the public entries of mentors outside the scope are shown too (curators)."""
        return self.kind == ORGANIZATION_SCOPE

    @property
    def area(self) -> Area:
        """The same part of the registry for the read queries (`projections.read_sql`), roles aside."""
        return Area(self.kind, self.municipality_id, self.organization_id)

    # -- single things ------------------------------------------------------------------------

    def covers(self, organization_id: str | None, municipality_id: str | None) -> bool:
        """Whether an organization (by its id and its municipality's) is within the scope."""
        if self.kind == ALL:
            return True
        if self.kind == MUNICIPALITY_SCOPE:
            return self.municipality_id is not None and municipality_id == self.municipality_id
        return self.organization_id is not None and organization_id == self.organization_id

    def covers_municipality(self, municipality_id: str) -> bool:
        return self.kind == ALL or (
            self.kind == MUNICIPALITY_SCOPE and municipality_id == self.municipality_id
        )

    def covers_unit(self, unit: Unit) -> bool:
        """Whether indicators and reports of a unit may be read (a region: staff of the region)."""
        if self.kind == ALL:
            return True
        if unit.kind == ORGANIZATION:
            return self.covers(unit.id, unit.municipality_id)
        if unit.kind == MUNICIPALITY:
            return self.covers_municipality(unit.id)
        return False

    def default_unit(self) -> str | None:
        """The unit indicators and reports are about when none is asked for (None: the region)."""
        if self.kind == MUNICIPALITY_SCOPE:
            return f"{MUNICIPALITY}:{self.municipality_id}"
        if self.kind == ORGANIZATION_SCOPE:
            return f"{ORGANIZATION}:{self.organization_id}"
        return None

    def refuse_unit(self, unit: Unit) -> ApiProblem:
        where = {
            MUNICIPALITY_SCOPE: "своего муниципалитета и его организаций",
            ORGANIZATION_SCOPE: "своей организации",
        }.get(self.kind, "своей области")
        return ApiProblem(
            403, "forbidden", f"Показатели единицы «{unit.name}» недоступны: можно читать только {where}"
        )

    def refuse_organization(self) -> ApiProblem:
        where = "своего муниципалитета" if self.kind == MUNICIPALITY_SCOPE else "своей"
        return ApiProblem(403, "forbidden", f"Можно читать сведения только {where} организации")


def scope_of(actor: Actor) -> ReadScope:
    """The reading scope of an actor; 403 for a role that reads nothing."""
    if actor.role in (Role.ADMIN, Role.AUDITOR):
        return ReadScope(actor, ALL)
    if actor.role == Role.MUNICIPAL:
        return ReadScope(actor, MUNICIPALITY_SCOPE, municipality_id=actor.municipality_id)
    if actor.role == Role.CURATOR:
        return ReadScope(actor, ORGANIZATION_SCOPE, organization_id=actor.organization_id)
    raise ApiProblem(403, "forbidden", "Эта роль не может читать реестр")


def read_scope(actor: Annotated[Actor, Depends(current_actor)]) -> ReadScope:
    return scope_of(actor)


Scope = Annotated[ReadScope, Depends(read_scope)]
"""The dependency of every read route: who asks, and what of the registry they may see."""
