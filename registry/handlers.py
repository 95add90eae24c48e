"""Command handlers: translate a validated command into calls on the aggregates it touches."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.base import require, require_not_future
from registry.context import CommandContext
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.organizations import Municipality, Organization
from registry.pairs import Pair, form_pair
from registry.programs import Program, TargetPlan, target_plan_id
from registry.reference import ListKind
from registry.users import User, user_id_for_token_hash
from registry.values import (
    Contingent,
    Document,
    MentorProfile,
    PersonalData,
    TrainingRecord,
)

HANDLERS: dict[type[c.Command], Callable[[CommandContext, Any], Aggregate | None]] = {}


def handles(command_type: type[c.Command]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        HANDLERS[command_type] = handler
        return handler

    return register


def _document(doc: c.DocumentIn | None) -> Document | None:
    return Document(**doc.model_dump()) if doc is not None else None


def _person(person: c.PersonIn) -> PersonalData:
    return PersonalData(**person.model_dump())


def _organization(ctx: CommandContext, organization_id: Any, field: str = "organization_id") -> Organization:
    organization = ctx.get(Organization, organization_id, field=field, entity="organization")
    ctx.require_scope(organization.id)
    return organization


def _mentor(ctx: CommandContext, mentor_id: Any, *, scoped: bool = True) -> Mentor:
    mentor = ctx.get(Mentor, mentor_id, field="mentor_id", entity="mentor")
    if scoped:
        ctx.require_scope(mentor.organization_id)
    return mentor


def _mentee(ctx: CommandContext, mentee_id: Any, field: str = "mentee_id") -> Mentee:
    mentee = ctx.get(Mentee, mentee_id, field=field, entity="mentee")
    ctx.require_scope(mentee.organization_id)
    return mentee


def _pair(ctx: CommandContext, pair_id: Any) -> Pair:
    pair = ctx.get(Pair, pair_id, field="pair_id", entity="pair")
    ctx.require_scope(pair.organization_id)
    return pair


def _program(ctx: CommandContext, program_id: Any, field: str = "program_id") -> Program:
    program = ctx.get(Program, program_id, field=field, entity="program")
    ctx.require_scope(program.organization_id)
    return program


def _profile(ctx: CommandContext, profile: c.MentorProfileIn) -> MentorProfile:
    ctx.require_code(ListKind.MENTOR_TYPE, profile.mentor_type, "profile.mentor_type")
    for i, form in enumerate(profile.forms):
        ctx.require_code(ListKind.MENTORING_FORM, form, f"profile.forms.{i}")
    return MentorProfile(**profile.model_dump())


# -- units ----------------------------------------------------------------------------------


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
    organization = _organization(ctx, cmd.organization_id)
    organization.rename(cmd.name, cmd.effective_date, cmd.reason, ctx.today)
    return organization


@handles(c.CloseOrganization)
def close_organization(ctx: CommandContext, cmd: c.CloseOrganization) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    organization.close(cmd.effective_date, cmd.reason, ctx.today)
    return organization


@handles(c.ReportContingent)
def report_contingent(ctx: CommandContext, cmd: c.ReportContingent) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    organization.report_contingent(cmd.year, Contingent(**cmd.figures.model_dump()), ctx.today)
    return organization


@handles(c.CorrectContingent)
def correct_contingent(ctx: CommandContext, cmd: c.CorrectContingent) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    organization.correct_contingent(cmd.year, Contingent(**cmd.figures.model_dump()), cmd.reason)
    return organization


@handles(c.CompleteChecklistItem)
def complete_checklist_item(ctx: CommandContext, cmd: c.CompleteChecklistItem) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    ctx.require_code(ListKind.CHECKLIST_ITEM, cmd.item, "item")
    document = _document(cmd.document)
    assert document is not None
    organization.complete_checklist_item(cmd.item, document, cmd.completed_on, ctx.today)
    return organization


@handles(c.ReopenChecklistItem)
def reopen_checklist_item(ctx: CommandContext, cmd: c.ReopenChecklistItem) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
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
    plan_id = target_plan_id(cmd.indicator, cmd.unit_kind, cmd.unit_id)
    if plan_id in ctx.app.repository:
        plan = ctx.get(TargetPlan, plan_id, field="indicator", entity="target_plan")
    else:
        plan = TargetPlan(indicator=cmd.indicator, unit_kind=cmd.unit_kind, unit_id=cmd.unit_id)
        ctx.add(plan)
    plan.set_target(cmd.year, cmd.share_percent, cmd.reason)
    return plan


# -- mentors ----------------------------------------------------------------------------------


@handles(c.SubmitMentorApplication)
def submit_mentor_application(ctx: CommandContext, cmd: c.SubmitMentorApplication) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    organization.require_open()
    require_not_future(cmd.applied_on, field="applied_on", today=ctx.today)
    mentor = Mentor(
        organization_id=organization.id,
        person=_person(cmd.person),
        profile=_profile(ctx, cmd.profile),
        capacity=cmd.capacity,
        applied_on=cmd.applied_on,
    )
    ctx.add(mentor)
    return mentor


@handles(c.ApproveMentor)
def approve_mentor(ctx: CommandContext, cmd: c.ApproveMentor) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.approve(cmd.effective_date, ctx.today)
    return mentor


@handles(c.RejectMentor)
def reject_mentor(ctx: CommandContext, cmd: c.RejectMentor) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.reject(cmd.reason)
    return mentor


@handles(c.UpdateMentorProfile)
def update_mentor_profile(ctx: CommandContext, cmd: c.UpdateMentorProfile) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.update_profile(_person(cmd.person), _profile(ctx, cmd.profile), cmd.capacity)
    return mentor


@handles(c.GiveConsent)
def give_consent(ctx: CommandContext, cmd: c.GiveConsent) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.give_consent(list(cmd.fields), _document(cmd.document), cmd.effective_date, ctx.today)
    return mentor


@handles(c.WithdrawConsent)
def withdraw_consent(ctx: CommandContext, cmd: c.WithdrawConsent) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    effective = cmd.effective_date if cmd.effective_date and cmd.effective_date <= ctx.today else ctx.today
    mentor.withdraw_consent(effective)
    return mentor


@handles(c.SuspendMentor)
def suspend_mentor(ctx: CommandContext, cmd: c.SuspendMentor) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.suspend(cmd.reason, cmd.effective_date, ctx.today)
    return mentor


@handles(c.RemoveMentor)
def remove_mentor(ctx: CommandContext, cmd: c.RemoveMentor) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.remove(cmd.reason, cmd.effective_date, ctx.today)
    return mentor


@handles(c.ReinstateMentor)
def reinstate_mentor(ctx: CommandContext, cmd: c.ReinstateMentor) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
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
    mentor = _mentor(ctx, cmd.mentor_id)
    # The id is derived from the command so a retried import of one certificate stays one.
    training_id = cmd.command_id or uuid.uuid4().hex
    mentor.complete_training(training_id, _training(cmd), ctx.today)
    return mentor


@handles(c.CorrectTraining)
def correct_training(ctx: CommandContext, cmd: c.CorrectTraining) -> Aggregate:
    mentor = _mentor(ctx, cmd.mentor_id)
    mentor.correct_training(cmd.training_id, _training(cmd), cmd.reason, ctx.today)
    return mentor


# -- mentees, pairs, programs ----------------------------------------------------------------


@handles(c.RegisterMentee)
def register_mentee(ctx: CommandContext, cmd: c.RegisterMentee) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    organization.require_open()
    mentee = Mentee.register(
        organization_id=organization.id,
        category=cmd.category.value,
        person=_person(cmd.person),
        birth_year=cmd.birth_year,
        work_started_on=cmd.work_started_on,
        registered_on=cmd.registered_on,
        today=ctx.today,
    )
    ctx.add(mentee)
    return mentee


@handles(c.CorrectMentee)
def correct_mentee(ctx: CommandContext, cmd: c.CorrectMentee) -> Aggregate:
    mentee = _mentee(ctx, cmd.mentee_id)
    mentee.correct_details(
        category=cmd.category.value,
        person=_person(cmd.person),
        birth_year=cmd.birth_year,
        work_started_on=cmd.work_started_on,
        reason=cmd.reason,
        today=ctx.today,
    )
    return mentee


@handles(c.FormPair)
def form_pair_handler(ctx: CommandContext, cmd: c.FormPair) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
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
    mentor = _mentor(ctx, cmd.mentor_id, scoped=False)
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
    )
    ctx.add(pair)
    return pair


@handles(c.AddMenteeToPair)
def add_mentee_to_pair(ctx: CommandContext, cmd: c.AddMenteeToPair) -> Aggregate:
    pair = _pair(ctx, cmd.pair_id)
    mentee = ctx.get(Mentee, cmd.mentee_id, field="mentee_id", entity="mentee")
    mentor = ctx.get(Mentor, pair.mentor_id, field="pair_id", entity="mentor")
    pair.add_mentee(mentee, mentor, cmd.joined_on, ctx.today)
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
    pair = _pair(ctx, cmd.pair_id)
    mentor, mentees = _pair_people(ctx, pair)
    pair.complete(cmd.ended_on, cmd.outcome, mentor, mentees, ctx.today)
    return pair


@handles(c.DissolvePair)
def dissolve_pair(ctx: CommandContext, cmd: c.DissolvePair) -> Aggregate:
    pair = _pair(ctx, cmd.pair_id)
    mentor, mentees = _pair_people(ctx, pair)
    pair.dissolve(cmd.ended_on, cmd.reason, mentor, mentees, ctx.today)
    return pair


@handles(c.CorrectPairStart)
def correct_pair_start(ctx: CommandContext, cmd: c.CorrectPairStart) -> Aggregate:
    pair = _pair(ctx, cmd.pair_id)
    pair.correct_start(cmd.started_on, cmd.reason, ctx.today)
    return pair


@handles(c.AdoptProgram)
def adopt_program(ctx: CommandContext, cmd: c.AdoptProgram) -> Aggregate:
    organization = _organization(ctx, cmd.organization_id)
    organization.require_open()
    for i, form in enumerate(cmd.forms):
        ctx.require_code(ListKind.MENTORING_FORM, form, f"forms.{i}")
    program = Program.adopt(
        organization_id=organization.id,
        title=cmd.title,
        forms=list(cmd.forms),
        starts_on=cmd.starts_on,
        ends_on=cmd.ends_on,
        order=_document(cmd.order),
        personalized=cmd.personalized,
        today=ctx.today,
    )
    ctx.add(program)
    return program


@handles(c.RecordProgramOutput)
def record_program_output(ctx: CommandContext, cmd: c.RecordProgramOutput) -> Aggregate:
    program = _program(ctx, cmd.program_id)
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
    program = _program(ctx, cmd.program_id)
    program.retract_output(cmd.output_id, cmd.reason)
    return program


# -- users ------------------------------------------------------------------------------------


@handles(c.AddUser)
def add_user(ctx: CommandContext, cmd: c.AddUser) -> Aggregate:
    organization_id, municipality_id = cmd.organization_id, cmd.municipality_id
    if cmd.role == c.UserRole.CURATOR:
        require(
            organization_id is not None,
            rule="scope_required",
            field="organization_id",
            message="Для куратора нужно указать его организацию",
        )
        assert organization_id is not None  # the rule above
        organization = ctx.get(Organization, organization_id, field="organization_id", entity="organization")
        require(
            municipality_id in (None, organization.municipality_id),
            rule="scope_mismatch",
            field="municipality_id",
            message="Организация куратора относится к другому муниципалитету",
        )
        municipality_id = organization.municipality_id
    elif cmd.role == c.UserRole.MUNICIPAL:
        require(
            municipality_id is not None,
            rule="scope_required",
            field="municipality_id",
            message="Для муниципального координатора нужно указать его муниципалитет",
        )
        require(
            organization_id is None,
            rule="scope_not_applicable",
            field="organization_id",
            message="Муниципальный координатор не привязывается к одной организации",
        )
        assert municipality_id is not None  # the rule above
        ctx.get(Municipality, municipality_id, field="municipality_id", entity="municipality")
    else:
        require(
            organization_id is None and municipality_id is None,
            rule="scope_not_applicable",
            field="organization_id" if organization_id is not None else "municipality_id",
            message="Администратор и аудитор работают со всем регионом: организация и муниципалитет не указываются",
        )
    require(
        user_id_for_token_hash(cmd.token_sha256) not in ctx.app.repository,
        rule="token_unique",
        field="token_sha256",
        message="Такой токен уже выдан",
    )
    user = User(
        name=cmd.name,
        role=cmd.role.value,
        organization_id=organization_id,
        municipality_id=municipality_id,
        token_sha256=cmd.token_sha256,
    )
    ctx.add(user)
    return user


@handles(c.RevokeUser)
def revoke_user(ctx: CommandContext, cmd: c.RevokeUser) -> Aggregate:
    user = ctx.get(User, cmd.user_id, field="user_id", entity="user")
    user.revoke(cmd.reason)
    return user
