"""Handlers of a mentor's life in the registry: application, status, consent, training."""

from __future__ import annotations

import uuid

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.base import require_not_future
from registry.context import CommandContext
from registry.handlers import lookups
from registry.handlers.table import handles
from registry.intervals import Span
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.pairs import Pair
from registry.values import (
    TrainingRecord,
)


@handles(c.SubmitMentorApplication)
def submit_mentor_application(ctx: CommandContext, cmd: c.SubmitMentorApplication) -> Aggregate:
    organization = lookups.organization(ctx, cmd.organization_id)
    organization.require_open()
    require_not_future(cmd.applied_on, field="applied_on", today=ctx.today)
    mentor = Mentor(
        organization_id=organization.id,
        person=lookups.person(cmd.person),
        profile=lookups.profile(ctx, cmd.profile),
        capacity=cmd.capacity,
        applied_on=cmd.applied_on,
    )
    ctx.add(mentor)
    return mentor


@handles(c.ApproveMentor)
def approve_mentor(ctx: CommandContext, cmd: c.ApproveMentor) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.approve(cmd.effective_date, ctx.today)
    return mentor


@handles(c.RejectMentor)
def reject_mentor(ctx: CommandContext, cmd: c.RejectMentor) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.reject(cmd.reason)
    return mentor


@handles(c.UpdateMentorProfile)
def update_mentor_profile(ctx: CommandContext, cmd: c.UpdateMentorProfile) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.update_profile(lookups.person(cmd.person), lookups.profile(ctx, cmd.profile), cmd.capacity)
    return mentor


@handles(c.GiveConsent)
def give_consent(ctx: CommandContext, cmd: c.GiveConsent) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.give_consent(list(cmd.fields), lookups.document(cmd.document), cmd.effective_date, ctx.today)
    return mentor


@handles(c.WithdrawConsent)
def withdraw_consent(ctx: CommandContext, cmd: c.WithdrawConsent) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.withdraw_consent(cmd.effective_date, ctx.today)
    return mentor


@handles(c.SuspendMentor)
def suspend_mentor(ctx: CommandContext, cmd: c.SuspendMentor) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.suspend(cmd.reason, cmd.effective_date, ctx.today, _pairs_ended(ctx, mentor, cmd))
    return mentor


@handles(c.RemoveMentor)
def remove_mentor(ctx: CommandContext, cmd: c.RemoveMentor) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.remove(cmd.reason, cmd.effective_date, ctx.today, _pairs_ended(ctx, mentor, cmd))
    return mentor


def _pairs_ended(ctx: CommandContext, mentor: Mentor, cmd: c.SuspendMentor | c.RemoveMentor) -> list[Span]:
    """The spans of the mentor's pairs; asked explicitly, the running ones are dissolved first,
    on the date the mentor leaves, with the same reason."""
    pairs = [ctx.get(Pair, uuid.UUID(pair_id), field="mentor_id", entity="pair") for pair_id in mentor.led_pairs]
    if cmd.end_pairs:
        for pair in pairs:
            if pair.is_active and pair.mentor_id == mentor.id:
                people = [ctx.get(Mentee, uuid.UUID(m), field="mentor_id", entity="mentee") for m in pair.mentees]
                schedule = lookups.schedule(ctx, mentor, people, excluding=pair.id)
                pair.dissolve(cmd.effective_date, cmd.reason, mentor, people, ctx.today, schedule)
    return [span for pair in pairs for span in pair.spans_led_by(mentor.id)]


@handles(c.ReinstateMentor)
def reinstate_mentor(ctx: CommandContext, cmd: c.ReinstateMentor) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.reinstate(cmd.reason, cmd.effective_date, ctx.today)
    return mentor


def _training(cmd: c.RecordTraining | c.CorrectTraining) -> TrainingRecord:
    return TrainingRecord(
        course=cmd.course,
        provider=cmd.provider,
        completed_on=cmd.completed_on,
        hours=cmd.hours,
        certificate_number=cmd.certificate_number,
    )


@handles(c.RecordTraining)
def record_training(ctx: CommandContext, cmd: c.RecordTraining) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    # The id is derived from the command so a retried import of one certificate stays one.
    training_id = cmd.command_id or uuid.uuid4().hex
    mentor.complete_training(training_id, _training(cmd), ctx.today)
    return mentor


@handles(c.CorrectTraining)
def correct_training(ctx: CommandContext, cmd: c.CorrectTraining) -> Aggregate:
    mentor = lookups.mentor(ctx, cmd.mentor_id)
    mentor.correct_training(cmd.training_id, _training(cmd), cmd.reason, ctx.today)
    return mentor
