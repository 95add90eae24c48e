"""Mentors: the list (by status, paged, XLSX), the application form with consent field by field,
a mentor's page (profile, trainings, consent, history), the profile form and the consent forms."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.reads import mentors
from api.reads.mentors import MentorOut
from api.staff import pages
from api.staff.curator import CONSENT_FIELDS_RU, STATUS_RU, curator_only, reference, titles
from api.staff.history import history_context
from api.staff.session import CurrentStaff, SignedIn, StaffRefusal
from registry import commands as c
from registry.values import PUBLISHABLE_FIELDS, MentorStatus, Role

router = APIRouter()

_XLSX_HEADERS = ["ФИО", "Организация", "Должность", "Тип наставника", "Формы", "Предметы", "Статус",
                 "С даты", "Дата заявки", "Наставляемых одновременно", "Согласие на публикацию"]


def _own_org_filter(staff: SignedIn) -> str | None:
    """A curator's lists show its organization only (not the public entries of others)."""
    return staff.actor.organization_id if staff.actor.role == Role.CURATOR else None


def _status(request: Request) -> MentorStatus | None:
    try:
        return MentorStatus(request.query_params.get("status", ""))
    except ValueError:
        return None


@router.get("/mentors")
def mentor_list(request: Request, staff: CurrentStaff) -> Response:
    status = _status(request)
    org = _own_org_filter(staff)
    if request.query_params.get("format") == "xlsx":
        return _xlsx(request, staff, org, status)
    paging = pages.Paging.of(request)
    found = pages.api_read(mentors.mentors, request, pages.scope(staff), organization_id=org, status=status,
                           limit=paging.limit, offset=paging.offset)
    paging = pages.Paging(paging.offset, paging.limit, found.total, request.url.path,
                          {"status": status.value} if status else {})
    return pages.render(request, "staff/mentors.html.j2", items=found.items, paging=paging, chosen_status=status,
                        statuses=list(STATUS_RU), types=titles(request, "mentor_type"))


def _xlsx(request: Request, staff: SignedIn, org: str | None, status: MentorStatus | None) -> Response:
    types = titles(request, "mentor_type")
    forms = titles(request, "mentoring_form")
    rows: list[list[Any]] = [
        [
            m.full_name, m.organization, m.position, types.get(m.mentor_type or "", m.mentor_type),
            ", ".join(forms.get(f, f) for f in m.forms or []), ", ".join(m.subjects or []),
            STATUS_RU[m.status], m.status_since, m.applied_on, m.capacity,
            ", ".join(CONSENT_FIELDS_RU.get(f, f) for f in m.consent_fields or []),
        ]
        for m in pages.every_item(mentors.mentors, request, pages.scope(staff), organization_id=org, status=status)
    ]
    return pages.xlsx_download("nastavniki.xlsx", _XLSX_HEADERS, rows)


# -- the application and the profile ------------------------------------------------------------


def _person_and_profile(form: pages.FormInput) -> dict[str, Any]:
    subjects = [s.strip() for line in (form.text("profile.subjects") or "").splitlines()
                for s in line.split(";") if s.strip()]
    return {
        "person": {
            "full_name": form.text("person.full_name") or "",
            "birth_date": form.date("person.birth_date"),
            "email": form.text("person.email"),
            "phone": form.text("person.phone"),
            "snils": form.text("person.snils"),
        },
        "profile": {
            "position": form.text("profile.position") or "",
            "mentor_type": form.text("profile.mentor_type") or "",
            "forms": form.many("profile.forms"),
            "subjects": subjects,
            "employer": form.text("profile.employer"),
        },
        "capacity": form.integer("capacity"),
    }


def _choices(request: Request) -> dict[str, Any]:
    return {
        "mentor_types": reference(request, "mentor_type"),
        "forms": reference(request, "mentoring_form"),
        "consent_fields": [(f, CONSENT_FIELDS_RU[f]) for f in PUBLISHABLE_FIELDS],
    }


@router.get("/mentors/new")
def application_form(request: Request, staff: CurrentStaff) -> Response:
    curator_only(staff)
    return pages.render(request, "staff/mentor_form.html.j2", values={}, errors={}, message=None, mentor=None,
                        **_choices(request))


@router.post("/mentors/new")
def apply(request: Request, staff: CurrentStaff, form: pages.PostedForm) -> Response:
    organization_id = curator_only(staff)
    data = _person_and_profile(form)
    applied_on = form.date("applied_on")
    consent = form.many("consent.fields")
    document = {"number": form.text("consent.document.number"),
                "issued_on": form.date("consent.document.issued_on"),
                "link": form.text("consent.document.link")}
    steps = [pages.Step(c.SubmitMentorApplication,
                        lambda _: {**data, "organization_id": organization_id, "applied_on": applied_on})]
    if consent:
        steps.append(pages.Step(
            c.GiveConsent,
            lambda mentor_id: {"mentor_id": mentor_id, "fields": consent, "effective_date": applied_on,
                               "document": document if any(document.values()) else None},
            prefix="consent.",
        ))
    outcome = pages.execute_together(request, staff, steps, form)
    if outcome.ok:
        assert outcome.result is not None
        return pages.see_other(f"/staff/mentors/{outcome.result.aggregate_id}", done="applied")
    return pages.render(request, "staff/mentor_form.html.j2", status=422, values=form.form, errors=outcome.errors,
                        message=outcome.message, mentor=None, **_choices(request))


def mentor_in_scope(request: Request, staff: SignedIn, mentor_id: UUID) -> MentorOut:
    """The mentor, if within the person's scope in full; otherwise the 404 page (existence of
    another organization's record is not disclosed, as in the API)."""
    item = pages.api_read(mentors.mentor, request, pages.scope(staff), mentor_id).item
    if item.visibility != "full":
        raise StaffRefusal(404, "Не найдено", f"Наставника {mentor_id} нет в реестре (или он вне вашей области)")
    return item


@router.get("/mentors/{mentor_id}")
def mentor_page(request: Request, staff: CurrentStaff, mentor_id: UUID) -> Response:
    mentor = mentor_in_scope(request, staff, mentor_id)
    return pages.render(request, "staff/mentor.html.j2", mentor=mentor, errors={}, message=None,
                        values={"consent.fields": mentor.consent_fields or []},
                        types=titles(request, "mentor_type"), form_titles=titles(request, "mentoring_form"),
                        **_choices(request), **history_context(request, staff, mentor_id))


def _profile_values(mentor: MentorOut) -> dict[str, Any]:
    return {
        "person.full_name": mentor.full_name, "profile.position": mentor.position,
        "profile.mentor_type": mentor.mentor_type, "profile.forms": mentor.forms or [],
        "profile.subjects": "\n".join(mentor.subjects or []), "profile.employer": mentor.employer,
        "capacity": mentor.capacity,
    }


@router.get("/mentors/{mentor_id}/profile")
def profile_form(request: Request, staff: CurrentStaff, mentor_id: UUID) -> Response:
    curator_only(staff)
    mentor = mentor_in_scope(request, staff, mentor_id)
    return pages.render(request, "staff/mentor_form.html.j2", values=_profile_values(mentor), errors={},
                        message=None, mentor=mentor, **_choices(request))


@router.post("/mentors/{mentor_id}/profile")
def update_profile(request: Request, staff: CurrentStaff, mentor_id: UUID, form: pages.PostedForm) -> Response:
    curator_only(staff)
    mentor = mentor_in_scope(request, staff, mentor_id)
    data = {**_person_and_profile(form), "mentor_id": mentor_id}
    outcome = pages.execute(request, staff, c.UpdateMentorProfile, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/mentors/{mentor_id}", done="saved")
    return pages.render(request, "staff/mentor_form.html.j2", status=422, values=form.form, errors=outcome.errors,
                        message=outcome.message, mentor=mentor, **_choices(request))


@router.post("/mentors/{mentor_id}/consent")
def give_consent(request: Request, staff: CurrentStaff, mentor_id: UUID, form: pages.PostedForm) -> Response:
    curator_only(staff)
    mentor = mentor_in_scope(request, staff, mentor_id)
    document = {"number": form.text("consent.document.number"),
                "issued_on": form.date("consent.document.issued_on", "consent.document.issued_on"),
                "link": form.text("consent.document.link")}
    data = {"mentor_id": mentor_id, "fields": form.many("consent.fields"),
            "effective_date": form.date("consent.effective_date", "consent.effective_date"),
            "document": document if any(document.values()) else None}
    outcome = pages.execute(request, staff, c.GiveConsent, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/mentors/{mentor_id}", done="saved")
    errors = {("consent." + k if not k.startswith("consent.") else k): v for k, v in outcome.errors.items()}
    return pages.render(request, "staff/mentor.html.j2", status=422, mentor=mentor, errors=errors,
                        message=outcome.message, values=form.form, types=titles(request, "mentor_type"),
                        form_titles=titles(request, "mentoring_form"), **_choices(request),
                        **history_context(request, staff, mentor_id))


@router.post("/mentors/{mentor_id}/consent/withdraw")
def withdraw_consent(request: Request, staff: CurrentStaff, mentor_id: UUID, form: pages.PostedForm) -> Response:
    curator_only(staff)
    mentor_in_scope(request, staff, mentor_id)
    data = {"mentor_id": mentor_id, "effective_date": form.date("withdraw.effective_date")}
    outcome = pages.execute(request, staff, c.WithdrawConsent, data, form)
    if not outcome.ok:
        raise StaffRefusal(422, "Согласие не отозвано", outcome.message or "Проверьте дату")
    return pages.see_other(f"/staff/mentors/{mentor_id}", done="saved")


@router.post("/mentors/{mentor_id}/trainings")
def record_training(request: Request, staff: CurrentStaff, mentor_id: UUID, form: pages.PostedForm) -> Response:
    """Training is recorded by the regional institute (the registry's rule: admin only)."""
    if staff.actor.role != Role.ADMIN:
        raise StaffRefusal(403, "Нет доступа", "Сведения об обучении вносит региональный институт.")
    mentor = mentor_in_scope(request, staff, mentor_id)
    data = {"mentor_id": mentor_id, "course": form.text("training.course") or "",
            "provider": form.text("training.provider") or "", "hours": form.integer("training.hours", "hours"),
            "completed_on": form.date("training.completed_on", "completed_on"),
            "certificate_number": form.text("training.certificate_number")}
    outcome = pages.execute(request, staff, c.RecordTraining, data, form, item_attr="training_id")
    if outcome.ok:
        return pages.see_other(f"/staff/mentors/{mentor_id}", done="saved")
    errors = {f"training.{k}": v for k, v in outcome.errors.items()}
    return pages.render(request, "staff/mentor.html.j2", status=422, mentor=mentor, errors=errors,
                        message=outcome.message, values=form.form, types=titles(request, "mentor_type"),
                        form_titles=titles(request, "mentoring_form"), **_choices(request),
                        **history_context(request, staff, mentor_id))
