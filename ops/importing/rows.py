"""From a row of cells to the commands it asks for — the same commands the API takes.

A row may ask for several commands in order (a mentor's application, then approval into the
registry, then consent to publish): later ones name the aggregate an earlier one created by a
`Prior` placeholder, filled in when the row is executed. Each command's fields are tied back to
the columns they came from, so that an error the registry reports lands on the right cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from ops.importing import cells
from ops.importing.cells import CellError
from ops.importing.columns import Kind
from ops.importing.directory import (
    Directory,
    consent_fields,
    mentee_category,
    organization_kind,
)
from ops.importing.table import DataRow
from registry import commands as c
from registry.reference import ListKind

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": cells.text,
    "date": cells.to_date,
    "int": cells.to_int,
    "year_or_date": cells.to_year_or_date,
    "bool": cells.to_bool,
    "list": cells.to_list,
}


#: field mappings by content, shared by the rows that use them (never changed once made)
_SHARED_FIELDS: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}


@dataclass(frozen=True)
class Prior:
    """The id of the aggregate an earlier step of the same row recorded."""

    step: str


@dataclass
class Step:
    name: str
    command: type[c.Command]
    data: dict[str, Any]
    #: command field (dotted prefix) -> the column it came from
    fields: dict[str, str]
    #: the column an error with no field of its own is shown on
    anchor: str

    def column_of(self, field_path: str) -> str:
        best = ""
        for prefix in self.fields:
            if (field_path == prefix or field_path.startswith(prefix + ".")) and len(prefix) > len(best):
                best = prefix
        return self.fields[best] if best else self.anchor


@dataclass
class RowPlan:
    number: int
    steps: list[Step] = field(default_factory=list)
    problems: list[tuple[str | None, str]] = field(default_factory=list)  # (column key, message)
    #: a name for what the row describes (to find the same thing twice in one file)
    natural_key: tuple[Any, ...] | None = None
    #: what the row describes, when the registry holds it already (recorded other than by this row)
    existing: UUID | None = None
    described: str = ""


class RowBuilder:
    """Reads one row's cells, resolves the names in it, and lists its commands."""

    def __init__(self, kind: Kind, row: DataRow, directory: Directory) -> None:
        self.kind = kind
        self.directory = directory
        self.plan = RowPlan(number=row.number)
        self.values: dict[str, Any] = {}
        for column in kind.columns:
            raw = row.cells.get(column.key)
            try:
                value = _PARSERS[column.parse](raw)
            except CellError as error:
                self.problem(column.key, str(error))
                value = None
            self.values[column.key] = value
            if column.required and column.key in row.cells and _empty(value) and not self._has(column.key):
                self.problem(column.key, "Обязательное поле не заполнено")

    def _has(self, column_key: str) -> bool:
        return any(k == column_key for k, _ in self.plan.problems)

    def problem(self, column_key: str | None, message: str) -> None:
        self.plan.problems.append((column_key, message))

    def get(self, column_key: str) -> Any:
        return self.values.get(column_key)

    def resolve(self, column_key: str, finder: Callable[[Any], Any]) -> Any:
        """The id or code a cell names; None (and a problem noted) if it names nothing."""
        value = self.values.get(column_key)
        if _empty(value):
            return None
        try:
            return finder(value)
        except CellError as error:
            self.problem(column_key, str(error))
            return None

    def resolve_each(self, column_key: str, finder: Callable[[Any], Any]) -> list[Any]:
        found = []
        for item in self.values.get(column_key) or []:
            try:
                found.append(finder(item))
            except CellError as error:
                self.problem(column_key, str(error))
        return found

    def step(self, name: str, command: type[c.Command], data: dict[str, Any], fields: dict[str, str],
             anchor: str) -> None:
        # Every row of a kind maps its fields alike: one shared mapping, not one per row (a
        # 50,000-row file would hold 50,000 copies until it is written).
        shared = _SHARED_FIELDS.setdefault(tuple(fields.items()), fields)
        self.plan.steps.append(Step(name, command, data, shared, anchor))


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == (None, None)


def _inn(value: Any) -> str | None:
    shown = cells.text(value)
    # An INN typed as a number loses its leading zero: 0123456789 comes back as 123456789.
    if shown and shown.isdigit() and len(shown) in (9, 11) and not isinstance(value, str):
        shown = "0" + shown
    return shown


# -- kinds ----------------------------------------------------------------------------------------


def _municipalities(b: RowBuilder) -> None:
    name = b.get("name")
    if name:
        b.plan.natural_key = ("municipality", cells.key(name))
        b.plan.existing = b.directory.existing_municipality(name)
        b.plan.described = f"муниципалитет «{name}»"
    b.step("register", c.RegisterMunicipality,
           {"name": name, "region": b.get("region"), "code": b.get("code")},
           {"name": "name", "region": "region", "code": "code"}, "name")


def _organizations(b: RowBuilder) -> None:
    municipality_id = b.resolve("municipality", b.directory.municipality)
    kind = b.resolve("kind", organization_kind)
    name, inn = b.get("name"), _inn(b.values.get("inn"))
    if name and municipality_id:
        b.plan.natural_key = ("organization", inn or (municipality_id, cells.key(name)))
        b.plan.existing = b.directory.existing_organization(inn, name, municipality_id)
        b.plan.described = f"организация «{name}»"
    b.step("register", c.RegisterOrganization,
           {"name": name, "kind": kind, "municipality_id": municipality_id, "inn": inn,
            "registered_on": b.get("registered_on")},
           {"name": "name", "kind": "kind", "municipality_id": "municipality", "inn": "inn",
            "registered_on": "registered_on"}, "name")


_FIGURES = ("students_total", "students_10_19", "students_15_19", "students_extra", "teachers_total",
            "young_teachers")


def _contingents(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    data = {"organization_id": organization_id, "year": b.get("year"),
            "figures": {name: b.get(name) for name in _FIGURES}}
    fields = {"organization_id": "organization", "year": "year", "reason": "reason",
              **{f"figures.{name}": name for name in _FIGURES}}
    if b.get("reason"):
        b.step("correct", c.CorrectContingent, {**data, "reason": b.get("reason")}, fields, "year")
    else:
        b.step("report", c.ReportContingent, data, fields, "year")


def _mentors(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    mentor_type = b.resolve("mentor_type", lambda v: b.directory.code(ListKind.MENTOR_TYPE, v))
    forms = b.resolve_each("forms", lambda v: b.directory.code(ListKind.MENTORING_FORM, v))
    consent = b.resolve("consent", consent_fields) or []
    applied_on: date | None = b.get("applied_on") or b.get("approved_on")
    applied_column = "applied_on" if b.get("applied_on") else "approved_on"
    if applied_on is None and not b._has("applied_on") and not b._has("approved_on"):
        b.problem("applied_on", "Укажите дату заявки или дату вхождения в реестр")
    name = b.get("full_name")
    if name and organization_id:
        b.plan.natural_key = ("mentor", organization_id, cells.key(name))
        b.plan.existing = b.directory.existing_mentor(organization_id, name)
        b.plan.described = f"наставник «{name}»"
    person = {"full_name": name, "birth_date": b.get("birth_date"), "email": b.get("email"),
              "phone": b.get("phone"), "snils": cells.text(b.values.get("snils"))}
    profile = {"position": b.get("position"), "mentor_type": mentor_type, "forms": forms,
               "subjects": b.get("subjects") or [], "employer": b.get("employer")}
    b.step("apply", c.SubmitMentorApplication,
           {"organization_id": organization_id, "person": person, "profile": profile,
            "capacity": b.get("capacity"), "applied_on": applied_on},
           {"organization_id": "organization", "person": "full_name", "person.birth_date": "birth_date",
            "birth_date": "birth_date", "person.email": "email", "person.phone": "phone",
            "person.snils": "snils", "profile.position": "position", "profile.mentor_type": "mentor_type",
            "profile.forms": "forms", "profile.subjects": "subjects", "profile.employer": "employer",
            "capacity": "capacity", "applied_on": applied_column}, "full_name")
    if b.get("approved_on"):
        b.step("approve", c.ApproveMentor,
               {"mentor_id": Prior("apply"), "effective_date": b.get("approved_on")},
               {"effective_date": "approved_on"}, "approved_on")
    if consent:
        b.step("consent", c.GiveConsent,
               {"mentor_id": Prior("apply"), "fields": consent,
                "effective_date": b.get("consent_on") or applied_on},
               {"fields": "consent", "effective_date": "consent_on" if b.get("consent_on") else applied_column},
               "consent")


def _mentees(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    category = b.resolve("category", mentee_category)
    birth_year, birth_date = b.get("birth") or (None, None)
    name = b.get("full_name")
    if name and organization_id:
        year = birth_date.year if birth_date else birth_year
        b.plan.natural_key = ("mentee", organization_id, cells.key(name), year)
        b.plan.existing = b.directory.existing_mentee(organization_id, name, year)
        b.plan.described = f"наставляемый «{name}»"
    b.step("register", c.RegisterMentee,
           {"organization_id": organization_id, "category": category,
            "person": {"full_name": name, "birth_date": birth_date}, "birth_year": birth_year,
            "work_started_on": b.get("work_started_on"), "registered_on": b.get("registered_on")},
           {"organization_id": "organization", "category": "category", "person": "full_name",
            "person.birth_date": "birth", "birth_date": "birth", "birth_year": "birth",
            "work_started_on": "work_started_on", "registered_on": "registered_on"}, "full_name")


def _pairs(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    mentor_org = b.resolve("mentor_organization", b.directory.organization)
    mentor_id = b.resolve("mentor", lambda v: b.directory.mentor(v, mentor_org or organization_id))
    mentee_ids = (
        b.resolve_each("mentees", lambda v: b.directory.mentee(v, organization_id)) if organization_id else []
    )
    form = b.resolve("form", lambda v: b.directory.code(ListKind.MENTORING_FORM, v))
    kind = b.resolve("kind", lambda v: b.directory.code(ListKind.MENTORING_KIND, v))
    program_id = b.resolve("program", lambda v: b.directory.program(v, organization_id)) if organization_id else None
    b.step("form", c.FormPair,
           {"organization_id": organization_id, "mentor_id": mentor_id, "mentee_ids": mentee_ids,
            "form": form, "kind": kind, "program_id": program_id, "started_on": b.get("started_on")},
           {"organization_id": "organization", "mentor_id": "mentor", "mentee_ids": "mentees",
            "form": "form", "kind": "kind", "program_id": "program", "started_on": "started_on"}, "mentor")
    ended_on, outcome, reason = b.get("ended_on"), b.get("outcome"), b.get("end_reason")
    if ended_on and outcome:
        b.step("complete", c.CompletePair, {"pair_id": Prior("form"), "ended_on": ended_on, "outcome": outcome},
               {"ended_on": "ended_on", "outcome": "outcome"}, "ended_on")
    elif ended_on and reason:
        b.step("dissolve", c.DissolvePair, {"pair_id": Prior("form"), "ended_on": ended_on, "reason": reason},
               {"ended_on": "ended_on", "reason": "end_reason"}, "ended_on")
    elif ended_on and not b._has("outcome"):
        b.problem("outcome", "Пара завершена: укажите результат или причину расформирования")
    elif (outcome or reason) and not b._has("ended_on"):
        b.problem("ended_on", "Укажите дату завершения пары")


def _trainings(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    mentor_id = b.resolve("mentor", lambda v: b.directory.mentor(v, organization_id))
    b.step("record", c.RecordTraining,
           {"mentor_id": mentor_id, "course": b.get("course"), "provider": b.get("provider"),
            "hours": b.get("hours"), "completed_on": b.get("completed_on"),
            "certificate_number": cells.text(b.values.get("certificate_number"))},
           {"mentor_id": "mentor", "course": "course", "provider": "provider", "hours": "hours",
            "completed_on": "completed_on", "certificate_number": "certificate_number",
            "training_id": "mentor"}, "mentor")


def _programs(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    forms = b.resolve_each("forms", lambda v: b.directory.code(ListKind.MENTORING_FORM, v))
    title = b.get("title")
    if title and organization_id:
        b.plan.natural_key = ("program", organization_id, cells.key(title))
        b.plan.existing = b.directory.existing_program(organization_id, title)
        b.plan.described = f"программа «{title}»"
    order = None
    if b.get("order_number") or b.get("order_date") or b.get("order_link"):
        order = {"number": cells.text(b.values.get("order_number")), "issued_on": b.get("order_date"),
                 "link": b.get("order_link")}
    b.step("adopt", c.AdoptProgram,
           {"organization_id": organization_id, "title": title, "forms": forms,
            "starts_on": b.get("starts_on"), "ends_on": b.get("ends_on"), "order": order,
            "personalized": bool(b.get("personalized"))},
           {"organization_id": "organization", "title": "title", "forms": "forms", "starts_on": "starts_on",
            "ends_on": "ends_on", "order.number": "order_number", "order.issued_on": "order_date",
            "order.link": "order_link", "order": "order_number", "personalized": "personalized"}, "title")


def _outputs(b: RowBuilder) -> None:
    organization_id = b.resolve("organization", b.directory.organization)
    program_id = b.resolve("program", lambda v: b.directory.program(v, organization_id)) if organization_id else None
    kind = b.resolve("kind", lambda v: b.directory.code(ListKind.OUTPUT_KIND, v))
    b.step("record", c.RecordProgramOutput,
           {"program_id": program_id, "kind": kind, "title": b.get("title"),
            "produced_on": b.get("produced_on"), "evidence_link": b.get("evidence_link")},
           {"program_id": "program", "kind": "kind", "title": "title", "produced_on": "produced_on",
            "evidence_link": "evidence_link", "pair_id": "title"}, "title")


BUILDERS: dict[str, Callable[[RowBuilder], None]] = {
    "municipalities": _municipalities,
    "organizations": _organizations,
    "contingents": _contingents,
    "mentors": _mentors,
    "mentees": _mentees,
    "pairs": _pairs,
    "trainings": _trainings,
    "programs": _programs,
    "outputs": _outputs,
}


def build_row(kind: Kind, row: DataRow, directory: Directory) -> RowPlan:
    """The commands one row asks for, or the problems that stop it (both can be there)."""
    builder = RowBuilder(kind, row, directory)
    BUILDERS[kind.name](builder)
    return builder.plan
