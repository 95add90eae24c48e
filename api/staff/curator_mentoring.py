"""Mentees and pairs: lists (paged in SQL by the API's reads, XLSX), registering mentees
(several at once, all or none), forming a pair or group (mentors with free capacity first),
completing or dissolving it, and each record's page with its history."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.reads import mentoring, mentors
from api.reads.common import views_of
from api.staff import pages
from api.staff.curator import CATEGORY_RU, PAIR_STATUS_RU, curator_only, reference, titles
from api.staff.history import history_context
from api.staff.pair_feedback import feedback_context
from api.staff.pair_suggestions import Suggested, suggested
from api.staff.session import CurrentStaff, SignedIn
from projections import mentoring_reads
from registry import commands as c
from registry.values import MenteeCategory, MentorStatus, PairStatus, Role

router = APIRouter()

MENTEE_ROWS = 5


def _org(staff: SignedIn) -> str | None:
    return staff.actor.organization_id if staff.actor.role == Role.CURATOR else None


def names(request: Request, table: str, ids: list[str]) -> dict[str, str]:
    """Full names of these mentors or mentees (rows the page already read within its scope)."""
    if not ids:
        return {}
    with views_of(request).transaction(write=False) as tx:
        return mentoring_reads.full_names(tx, table, ids)


# -- mentees ---------------------------------------------------------------------------------------


@router.get("/mentees")
def mentee_list(request: Request, staff: CurrentStaff) -> Response:
    category = request.query_params.get("category") or None
    chosen = MenteeCategory(category) if category in set(MenteeCategory) else None
    if request.query_params.get("format") == "xlsx":
        found = pages.every_item(mentoring.mentees, request, pages.scope(staff), organization_id=_org(staff),
                                 category=chosen)
        rows = [[m.full_name, CATEGORY_RU[m.category], m.birth_year, m.work_started_on, m.registered_on]
                for m in found]
        return pages.xlsx_download("nastavlyaemye.xlsx", ["ФИО", "Категория", "Год рождения", "Начало работы",
                                                          "Дата регистрации"], rows)
    paging = pages.Paging.of(request)
    found = pages.api_read(mentoring.mentees, request, pages.scope(staff), organization_id=_org(staff),
                           category=chosen, limit=paging.limit, offset=paging.offset)
    paging = pages.Paging(paging.offset, paging.limit, found.total, request.url.path,
                          {"category": chosen.value} if chosen else {})
    return pages.render(request, "staff/mentees.html.j2", items=found.items, paging=paging, category=chosen)


@router.get("/mentees/new")
def mentees_form(request: Request, staff: CurrentStaff) -> Response:
    curator_only(staff)
    return pages.render(request, "staff/mentees_form.html.j2", values={}, errors={}, message=None,
                        rows=range(MENTEE_ROWS))


@router.post("/mentees/new")
def register_mentees(request: Request, staff: CurrentStaff, form: pages.PostedForm) -> Response:
    organization_id = curator_only(staff)
    registered_on = form.date("registered_on")
    steps = []
    for index in range(MENTEE_ROWS):
        prefix = f"rows.{index}."
        if not any(form.text(prefix + name) for name in ("full_name", "birth_year", "work_started_on")):
            continue
        data = {
            "organization_id": organization_id, "registered_on": registered_on,
            "category": form.text(prefix + "category") or "",
            "person": {"full_name": form.text(prefix + "full_name") or ""},
            "birth_year": form.integer(prefix + "birth_year"),
            "work_started_on": form.date(prefix + "work_started_on"),
        }
        steps.append(pages.Step(c.RegisterMentee, lambda _, data=data: data, prefix=prefix))
    if not steps:
        form.errors["rows.0.full_name"] = "Впишите хотя бы одного наставляемого"
    outcome = pages.execute_together(request, staff, steps, form)
    if outcome.ok and steps:
        return pages.see_other("/staff/mentees", done="registered")
    errors = {k.replace(".person.", "."): v for k, v in outcome.errors.items()}
    if "registered_on" in outcome.errors or any(k.endswith(".registered_on") for k in outcome.errors):
        errors["registered_on"] = next(v for k, v in outcome.errors.items() if k.endswith("registered_on"))
    return pages.render(request, "staff/mentees_form.html.j2", status=422, values=form.form, errors=errors,
                        message=outcome.message or "Исправьте отмеченные поля", rows=range(MENTEE_ROWS))


@router.get("/mentees/{mentee_id}")
def mentee_page(request: Request, staff: CurrentStaff, mentee_id: UUID) -> Response:
    mentee = pages.api_read(mentoring.mentee, request, pages.scope(staff), mentee_id).item
    return pages.render(request, "staff/mentee.html.j2", mentee=mentee,
                        form_titles=titles(request, "mentoring_form"), **history_context(request, staff, mentee_id))


# -- pairs -----------------------------------------------------------------------------------------


@router.get("/pairs")
def pair_list(request: Request, staff: CurrentStaff) -> Response:
    status_text = request.query_params.get("status") or None
    status = PairStatus(status_text) if status_text in set(PairStatus) else None
    forms = titles(request, "mentoring_form")
    if request.query_params.get("format") == "xlsx":
        items = pages.every_item(mentoring.pairs, request, pages.scope(staff), organization_id=_org(staff),
                                 status=status)
        mentor_names = names(request, "mentors", list({p.mentor_id for p in items}))
        mentee_names = names(request, "mentees", list({m.mentee_id for p in items for m in p.mentees}))
        rows = [[mentor_names.get(p.mentor_id, ""), ", ".join(mentee_names.get(m.mentee_id, "") for m in p.mentees),
                 forms.get(p.form, p.form), p.started_on, PAIR_STATUS_RU[p.status], p.ended_on,
                 p.outcome or p.end_reason]
                for p in items]
        return pages.xlsx_download("pary.xlsx", ["Наставник", "Наставляемые", "Форма", "Начало", "Статус",
                                                 "Окончание", "Результат или причина"], rows)
    paging = pages.Paging.of(request)
    found = pages.api_read(mentoring.pairs, request, pages.scope(staff), organization_id=_org(staff), status=status,
                           limit=paging.limit, offset=paging.offset)
    paging = pages.Paging(paging.offset, paging.limit, found.total, request.url.path,
                          {"status": status.value} if status else {})
    return pages.render(
        request, "staff/pairs.html.j2", items=found.items, paging=paging, chosen_status=status, form_titles=forms,
        mentor_names=names(request, "mentors", list({p.mentor_id for p in found.items})),
        mentee_names=names(request, "mentees", list({m.mentee_id for p in found.items for m in p.mentees})),
    )


def free_capacity(request: Request, organization_id: str) -> dict[str, int]:
    """Mentees each mentor of the organization has in active pairs now."""
    with views_of(request).transaction(write=False) as tx:
        return mentoring_reads.mentor_loads(tx, organization_id)


def _pair_choices(request: Request, staff: SignedIn, organization_id: str) -> dict[str, Any]:
    scope = pages.scope(staff)
    active = pages.api_read(mentors.mentors, request, scope, organization_id=organization_id,
                            status=MentorStatus.ACTIVE, limit=1000).items
    load = free_capacity(request, organization_id)
    options = []
    for m in active:
        taken = load.get(m.id, 0)
        free = None if m.capacity is None else m.capacity - taken
        label = (f"{m.full_name} — свободно мест: {free} из {m.capacity}" if free is not None
                 else f"{m.full_name} — без ограничения, наставляемых: {taken}")
        options.append((free if free is not None else 10**6, m.full_name or "", m.id, label))
    # Mentors with free places first (most first), the full ones last.
    options.sort(key=lambda o: (o[0] <= 0, -o[0], o[1]))
    mentees = pages.api_read(mentoring.mentees, request, scope, organization_id=organization_id, limit=1000).items
    programs = pages.api_read(mentoring.programs, request, scope, organization_id=organization_id, limit=1000).items
    return {
        "mentor_options": [(o[2], o[3]) for o in options],
        "mentee_options": [(m.id, f"{m.full_name} ({CATEGORY_RU[m.category]})") for m in mentees],
        "forms": reference(request, "mentoring_form"),
        "kinds": reference(request, "mentoring_kind"),
        "programs": [(p.id, p.title) for p in programs],
    }


@router.get("/pairs/new")
def pair_form(request: Request, staff: CurrentStaff) -> Response:
    organization_id = curator_only(staff)
    query = request.query_params
    if "csrf_token" in query:
        # «Подобрать наставника» submits the form by GET: keep the session's token out of the address.
        kept = [(k, v) for k, v in query.multi_items() if k != "csrf_token"]
        return pages.see_other("/staff/pairs/new?" + urlencode(kept))
    found = suggested(request, staff)
    choices = _pair_choices(request, staff, organization_id)
    chosen = query.get("mentor_id", "")
    if chosen and chosen not in {value for value, _ in choices["mentor_options"]}:
        # A suggested mentor of another organization: the pair's organization decides (FormPair).
        labels = {s["item"].mentor_id: s["label"] for s in found.items}
        if chosen in labels:
            choices["mentor_options"] = [(chosen, labels[chosen]), *choices["mentor_options"]]
    return pages.render(request, "staff/pair_form.html.j2", values=query, errors=found.errors,
                        message="Исправьте отмеченные поля" if found.errors else None, suggested=found,
                        **choices)


@router.post("/pairs/new")
def form_pair(request: Request, staff: CurrentStaff, form: pages.PostedForm) -> Response:
    organization_id = curator_only(staff)
    data = {
        "organization_id": organization_id, "mentor_id": form.text("mentor_id"),
        "mentee_ids": form.many("mentee_ids"), "form": form.text("form") or "", "kind": form.text("kind"),
        "program_id": form.text("program_id"), "started_on": form.date("started_on"),
    }
    outcome = pages.execute(request, staff, c.FormPair, data, form)
    if outcome.ok:
        assert outcome.result is not None
        return pages.see_other(f"/staff/pairs/{outcome.result.aggregate_id}", done="formed")
    choices = _pair_choices(request, staff, organization_id)
    chosen = form.text("mentor_id")
    if chosen and chosen not in {value for value, _ in choices["mentor_options"]}:
        # A mentor chosen from the suggestions (another organization's): keep the choice shown.
        choices["mentor_options"] = [(chosen, "наставник, выбранный из предложенных"), *choices["mentor_options"]]
    return pages.render(request, "staff/pair_form.html.j2", status=422, values=form.form, errors=outcome.errors,
                        message=outcome.message, suggested=Suggested(), **choices)


def _pair_page(request: Request, staff: SignedIn, pair_id: UUID, status: int = 200, **context: Any) -> Response:
    pair = pages.api_read(mentoring.pair, request, pages.scope(staff), pair_id).item
    context.setdefault("errors", {})
    context.setdefault("message", None)
    context.setdefault("values", {})
    return pages.render(
        request, "staff/pair.html.j2", status=status, pair=pair, form_titles=titles(request, "mentoring_form"),
        kind_titles=titles(request, "mentoring_kind"),
        mentor_name=names(request, "mentors", [pair.mentor_id]).get(pair.mentor_id, ""),
        mentee_names=names(request, "mentees", [m.mentee_id for m in pair.mentees]),
        **feedback_context(request, staff, pair), **context, **history_context(request, staff, pair_id),
    )


def pair_page_again(request: Request, staff: SignedIn, pair_id: UUID, **context: Any) -> Response:
    """The pair page with a refused form's errors beside its fields (422)."""
    return _pair_page(request, staff, pair_id, status=422, **context)


@router.get("/pairs/{pair_id}")
def pair_page(request: Request, staff: CurrentStaff, pair_id: UUID) -> Response:
    return _pair_page(request, staff, pair_id)


def _end_pair(request: Request, staff: SignedIn, pair_id: UUID, form: pages.FormInput, how: str) -> Response:
    curator_only(staff)
    pages.api_read(mentoring.pair, request, pages.scope(staff), pair_id)  # 404 outside the scope
    if how == "complete":
        command: type[c.Command] = c.CompletePair
        data = {"pair_id": pair_id, "ended_on": form.date("complete.ended_on", "ended_on"),
                "outcome": form.text("complete.outcome") or ""}
    else:
        command = c.DissolvePair
        data = {"pair_id": pair_id, "ended_on": form.date("dissolve.ended_on", "ended_on"),
                "reason": form.text("dissolve.reason") or ""}
    outcome = pages.execute(request, staff, command, data, form)
    if outcome.ok:
        return pages.see_other(f"/staff/pairs/{pair_id}", done="completed" if how == "complete" else "dissolved")
    errors = {f"{how}.{k}": v for k, v in outcome.errors.items()}
    return _pair_page(request, staff, pair_id, status=422, errors=errors, message=outcome.message, values=form.form)


@router.post("/pairs/{pair_id}/complete")
def complete_pair(request: Request, staff: CurrentStaff, pair_id: UUID, form: pages.PostedForm) -> Response:
    return _end_pair(request, staff, pair_id, form, "complete")


@router.post("/pairs/{pair_id}/dissolve")
def dissolve_pair(request: Request, staff: CurrentStaff, pair_id: UUID, form: pages.PostedForm) -> Response:
    return _end_pair(request, staff, pair_id, form, "dissolve")
