"""Erasure of a mentor's or mentee's personal data under 152-ФЗ, for the institute:
/staff/erasure/{person_id} says exactly what will be destroyed and what stays, and erases on
confirmation with the registry's own command (`ErasePersonalData`, as `reestr erase` and
`POST /api/v1/persons/{id}/erase`): the person's key is destroyed, the event recorded.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.staff.pages import execute, render, see_other
from api.staff.record_history import ru_date
from api.staff.session import SignedIn, StaffRefusal, require_staff_roles
from registry import commands as c
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.values import Role

router = APIRouter()

_FIELDS_RU = (
    ("full_name", "ФИО"),
    ("birth_date", "дата рождения"),
    ("email", "электронная почта"),
    ("phone", "телефон"),
    ("snils", "СНИЛС"),
)


def _person(request: Request, person_id: str) -> Mentor | Mentee:
    try:
        found = request.app.state.registry.repository.get(UUID(person_id))
    except (ValueError, AggregateNotFoundError):
        found = None
    if not isinstance(found, (Mentor, Mentee)):
        raise StaffRefusal(404, "Не найдено", f"Наставника или наставляемого {person_id} нет в реестре")
    return found


def _page(
    request: Request, person: Mentor | Mentee, errors: dict[str, str], values: dict[str, Any], status: int = 200
) -> Response:
    data = person.person
    held = [
        (label, ru_date(value) if name == "birth_date" else value)
        for name, label in _FIELDS_RU
        if (value := getattr(data, name, None))
    ]
    events = len(list(request.app.state.registry.history(person.id)))
    return render(
        request,
        "staff/erasure.html.j2",
        status=status,
        person_id=str(person.id),
        kind="наставник" if isinstance(person, Mentor) else "наставляемый",
        held=held,
        events=events,
        erased=person.erased,
        errors=errors,
        values=values,
        message="Данные не удалены: исправьте отмеченные поля" if errors else None,
    )


@router.get("/erasure/{person_id}")
def erasure_form(request: Request, person_id: str, staff: SignedIn = require_staff_roles(Role.ADMIN)) -> Response:
    """The confirmation: what will be destroyed, what stays, the reason asked."""
    return _page(request, _person(request, person_id), {}, {})


@router.post("/erasure/{person_id}")
def erase(
    request: Request,
    person_id: str,
    reason: Annotated[str, Form()] = "",
    understood: Annotated[str, Form()] = "",
    staff: SignedIn = require_staff_roles(Role.ADMIN),
) -> Response:
    """Erase on confirmation; the history then reads «данные удалены»."""
    person = _person(request, person_id)
    values = {"reason": reason, "understood": understood}
    if understood != "yes":
        return _page(request, person, {"understood": "Подтвердите, что понимаете: удаление необратимо"}, values, 422)
    outcome = execute(request, staff, c.ErasePersonalData, {"person_id": person.id, "reason": reason.strip() or None})
    if not outcome.ok:
        return _page(request, person, outcome.errors or {"reason": outcome.message or ""}, values, 422)
    return see_other(f"/staff/audit/records/{person.id}", done="erased")
