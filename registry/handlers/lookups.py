"""Loading what a command names, with the field that named it and the curator's scope checked."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from registry import commands as c
from registry.context import CommandContext
from registry.intervals import Schedule
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Organization
from registry.pairs import Pair
from registry.programs import Program
from registry.reference import ListKind
from registry.values import Document, MentorProfile, PersonalData


def document(doc: c.DocumentIn | None) -> Document | None:
    return Document(**doc.model_dump()) if doc is not None else None


def person(person: c.PersonIn) -> PersonalData:
    return PersonalData(**person.model_dump())


def organization(ctx: CommandContext, organization_id: Any, field: str = "organization_id") -> Organization:
    organization = ctx.get(Organization, organization_id, field=field, entity="organization")
    ctx.require_scope(organization.id)
    return organization


def mentor(ctx: CommandContext, mentor_id: Any, *, scoped: bool = True) -> Mentor:
    mentor = ctx.get(Mentor, mentor_id, field="mentor_id", entity="mentor")
    if scoped:
        ctx.require_scope(mentor.organization_id)
    return mentor


def mentee(ctx: CommandContext, mentee_id: Any, field: str = "mentee_id") -> Mentee:
    mentee = ctx.get(Mentee, mentee_id, field=field, entity="mentee")
    ctx.require_scope(mentee.organization_id)
    return mentee


def pair(ctx: CommandContext, pair_id: Any) -> Pair:
    pair = ctx.get(Pair, pair_id, field="pair_id", entity="pair")
    ctx.require_scope(pair.organization_id)
    return pair


def program(ctx: CommandContext, program_id: Any, field: str = "program_id") -> Program:
    program = ctx.get(Program, program_id, field=field, entity="program")
    ctx.require_scope(program.organization_id)
    return program


def profile(ctx: CommandContext, profile: c.MentorProfileIn) -> MentorProfile:
    ctx.require_code(ListKind.MENTOR_TYPE, profile.mentor_type, "profile.mentor_type")
    for i, form in enumerate(profile.forms):
        ctx.require_code(ListKind.MENTORING_FORM, form, f"profile.forms.{i}")
    return MentorProfile(**profile.model_dump())


def schedule(ctx: CommandContext, mentor: Mentor, mentees: list[Mentee], *, excluding: Any = None) -> Schedule:
    """The other pairs of a mentor and mentees as spans, for the rules judged over dates."""
    skip = str(excluding) if excluding is not None else None

    def pairs(pair_ids: list[str]) -> list[Pair]:
        return [
            ctx.get(Pair, UUID(pair_id), field="pair_id", entity="pair") for pair_id in pair_ids if pair_id != skip
        ]

    # Without a stated capacity the mentor's other pairs decide nothing: they are not loaded.
    mentor_spans = (
        [s for p in pairs(mentor.led_pairs) for s in p.spans_led_by(mentor.id)] if mentor.capacity is not None else []
    )
    return Schedule(
        mentor=mentor_spans,
        mentees={str(m.id): [s for p in pairs(list(m.pairs)) for s in p.spans()] for m in mentees},
    )
