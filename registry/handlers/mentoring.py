"""Handlers of mentees, pairs and groups, programs and their outputs."""

from __future__ import annotations

import uuid

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.base import require
from registry.context import CommandContext
from registry.handlers import lookups
from registry.handlers.table import handles
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Organization
from registry.pairs import Pair, form_pair
from registry.programs import Program
from registry.reference import ListKind


@handles(c.RegisterMentee)
def register_mentee(ctx: CommandContext, cmd: c.RegisterMentee) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.require_open()
    mentee = Mentee.register(
        organization_id=organization.id,
        category=cmd.category.value,
        person=lookups.person(cmd.person),
        birth_year=cmd.birth_year,
        work_started_on=cmd.work_started_on,
        registered_on=cmd.registered_on,
        today=ctx.today,
    )
    ctx.add(mentee)
    return mentee


@handles(c.CorrectMentee)
def correct_mentee(ctx: CommandContext, cmd: c.CorrectMentee) -> Aggregate:
    mentee = lookups.mentee(ctx, cmd.mentee_id)
    mentee.correct_details(
        category=cmd.category.value,
        person=lookups.person(cmd.person),
        birth_year=cmd.birth_year,
        work_started_on=cmd.work_started_on,
        reason=cmd.reason,
        today=ctx.today,
    )
    return mentee


@handles(c.MoveMentee)
def move_mentee(ctx: CommandContext, cmd: c.MoveMentee) -> Aggregate:
    mentee = lookups.mentee(ctx, cmd.mentee_id)  # the school the pupil leaves issues the move
    target = ctx.get(Organization, cmd.organization_id, field="organization_id", entity="organization")
    target.require_open()
    here = [
        pair for pair in (ctx.get(Pair, uuid.UUID(p), field="mentee_id", entity="pair") for p in mentee.pairs)
        if pair.organization_id == mentee.organization_id
    ]
    if cmd.end_pairs:
        for pair in here:
            if pair.is_active:
                mentor, people = _pair_people(ctx, pair)
                schedule = lookups.schedule(ctx, mentor, people, excluding=pair.id)
                pair.dissolve(cmd.moved_on, cmd.reason, mentor, people, ctx.today, schedule)
    spans = [s for pair in here for s in pair.spans() if s.mentee_id == str(mentee.id)]
    mentee.move(target.id, cmd.moved_on, cmd.reason, ctx.today, spans)
    return mentee


@handles(c.FormPair)
def form_pair_handler(ctx: CommandContext, cmd: c.FormPair) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.require_open()
    ctx.require_code(ListKind.MENTORING_FORM, cmd.form, "form")
    if cmd.kind is not None:
        ctx.require_code(ListKind.MENTORING_KIND, cmd.kind, "kind")
    if cmd.program_id is not None:
        program = ctx.get(Program, cmd.program_id, field="program_id", entity="program")
        require(
            program.organization_id == organization.id,
            rule="program_of_pair_organization",
            field="program_id",
            message="Программа другой организации",
        )
    # The mentor may work elsewhere (an employer, a student): the pair's organization decides.
    mentor = lookups.mentor(ctx, cmd.mentor_id, scoped=False)
    mentees = [
        ctx.get(Mentee, mentee_id, field=f"mentee_ids.{i}", entity="mentee")
        for i, mentee_id in enumerate(cmd.mentee_ids)
    ]
    pair = form_pair(
        organization_id=organization.id,
        mentor=mentor,
        mentees=mentees,
        form=cmd.form,
        kind=cmd.kind,
        program_id=cmd.program_id,
        started_on=cmd.started_on,
        today=ctx.today,
        schedule=lookups.schedule(ctx, mentor, mentees),
    )
    ctx.add(pair)
    return pair


@handles(c.AddMenteeToPair)
def add_mentee_to_pair(ctx: CommandContext, cmd: c.AddMenteeToPair) -> Aggregate:
    pair = lookups.pair(ctx, cmd.pair_id)
    mentee = ctx.get(Mentee, cmd.mentee_id, field="mentee_id", entity="mentee")
    mentor = ctx.get(Mentor, pair.mentor_id, field="pair_id", entity="mentor")
    _, founders = _pair_people(ctx, pair)
    schedule = lookups.schedule(ctx, mentor, [*founders, mentee], excluding=pair.id)
    pair.add_mentee(mentee, mentor, cmd.joined_on, ctx.today, schedule)
    return pair


def _pair_people(ctx: CommandContext, pair: Pair) -> tuple[Mentor, list[Mentee]]:
    mentor = ctx.get(Mentor, pair.mentor_id, field="pair_id", entity="mentor")
    mentees = [
        ctx.get(Mentee, uuid.UUID(mentee_id), field="pair_id", entity="mentee")
        for mentee_id in pair.mentees
    ]
    return mentor, mentees


@handles(c.CompletePair)
def complete_pair(ctx: CommandContext, cmd: c.CompletePair) -> Aggregate:
    pair = lookups.pair(ctx, cmd.pair_id)
    mentor, mentees = _pair_people(ctx, pair)
    schedule = lookups.schedule(ctx, mentor, mentees, excluding=pair.id)
    pair.complete(cmd.ended_on, cmd.outcome, mentor, mentees, ctx.today, schedule)
    return pair


@handles(c.DissolvePair)
def dissolve_pair(ctx: CommandContext, cmd: c.DissolvePair) -> Aggregate:
    pair = lookups.pair(ctx, cmd.pair_id)
    mentor, mentees = _pair_people(ctx, pair)
    schedule = lookups.schedule(ctx, mentor, mentees, excluding=pair.id)
    pair.dissolve(cmd.ended_on, cmd.reason, mentor, mentees, ctx.today, schedule)
    return pair


@handles(c.CorrectPairStart)
def correct_pair_start(ctx: CommandContext, cmd: c.CorrectPairStart) -> Aggregate:
    pair = lookups.pair(ctx, cmd.pair_id)
    mentor, mentees = _pair_people(ctx, pair)
    schedule = lookups.schedule(ctx, mentor, mentees, excluding=pair.id)
    pair.correct_start(cmd.started_on, cmd.reason, ctx.today, mentor, schedule, mentees)
    return pair


@handles(c.TransferPair)
def transfer_pair(ctx: CommandContext, cmd: c.TransferPair) -> Aggregate:
    pair = lookups.pair(ctx, cmd.pair_id)
    old_mentor = ctx.get(Mentor, pair.mentor_id, field="pair_id", entity="mentor")
    # As at formation, the new mentor may work elsewhere: the pair's organization decides.
    new_mentor = lookups.mentor(ctx, cmd.mentor_id, scoped=False)
    schedule = lookups.schedule(ctx, new_mentor, [], excluding=pair.id)
    pair.transfer(new_mentor, old_mentor, cmd.transferred_on, cmd.reason, ctx.today, schedule)
    return pair


@handles(c.AdoptProgram)
def adopt_program(ctx: CommandContext, cmd: c.AdoptProgram) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.require_open()
    for i, form in enumerate(cmd.forms):
        ctx.require_code(ListKind.MENTORING_FORM, form, f"forms.{i}")
    program = Program.adopt(
        organization_id=organization.id,
        title=cmd.title,
        forms=list(cmd.forms),
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        order=lookups.document(cmd.order),
        personalized=cmd.personalized,
        today=ctx.today,
    )
    ctx.add(program)
    return program


@handles(c.RecordProgramOutput)
def record_program_output(ctx: CommandContext, cmd: c.RecordProgramOutput) -> Aggregate:
    program = lookups.program(ctx, cmd.program_id)
    ctx.require_code(ListKind.OUTPUT_KIND, cmd.kind, "kind")
    if cmd.pair_id is not None:
        pair = ctx.get(Pair, cmd.pair_id, field="pair_id", entity="pair")
        require(
            pair.organization_id == program.organization_id,
            rule="pair_of_program_organization",
            field="pair_id",
            message="Пара другой организации, чем программа",
        )
    output_id = cmd.command_id or uuid.uuid4().hex
    program.record_output(
        output_id, cmd.kind, cmd.title, cmd.produced_on, cmd.evidence_link, cmd.pair_id, ctx.today
    )
    return program


@handles(c.RetractProgramOutput)
def retract_program_output(ctx: CommandContext, cmd: c.RetractProgramOutput) -> Aggregate:
    program = lookups.program(ctx, cmd.program_id)
    program.retract_output(cmd.output_id, cmd.reason)
    return program
