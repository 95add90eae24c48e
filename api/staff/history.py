"""A record's whole history on its page: the audit reader's events (`api.audit`), in Russian.

The same events the auditor's `/api/v1/audit/aggregates/{id}/history` returns, read from the
log itself: who recorded each, when, the date it took effect, the reason of a correction; an
erased person's data reads «данные удалены» (the key is gone, `registry.sealing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Request, Response

from api.audit import EventOut, history
from api.problems import ApiProblem
from api.reads.common import views_of
from api.staff import pages
from api.staff.session import SignedIn
from api.staff.words import CATEGORY_RU, CONSENT_FIELDS_RU, FIELDS_RU, ORGANIZATION_KIND_RU
from projections.audit_reads import code_titles, record_names

EVENTS_RU = {
    "Mentor.Applied": "Подана заявка наставника",
    "Mentor.Approved": "Включён в реестр",
    "Mentor.Rejected": "Заявка отклонена",
    "Mentor.Suspended": "Приостановлен",
    "Mentor.Removed": "Исключён из реестра",
    "Mentor.Reinstated": "Восстановлен в реестре",
    "Mentor.ProfileUpdated": "Анкета изменена",
    "Mentor.ConsentGiven": "Дано согласие на публикацию",
    "Mentor.ConsentWithdrawn": "Согласие на публикацию отозвано",
    "Mentor.PersonalDataErased": "Персональные данные удалены (152-ФЗ)",
    "Mentor.TrainingCompleted": "Учтено обучение",
    "Mentor.TrainingCorrected": "Исправлены сведения об обучении",
    "Mentor.MenteesTaken": "Наставляемые закреплены",
    "Mentor.PairReleased": "Пара освобождена",
    "Mentee.Registered": "Зарегистрирован наставляемый",
    "Mentee.DetailsCorrected": "Сведения исправлены",
    "Mentee.PersonalDataErased": "Персональные данные удалены (152-ФЗ)",
    "Mentee.EnrolledInPair": "Включён в пару (группу)",
    "Mentee.LeftPair": "Вышел из пары (группы)",
    "Pair.Formed": "Пара (группа) сформирована",
    "Pair.MenteeAdded": "Добавлен наставляемый",
    "Pair.Completed": "Завершена с результатом",
    "Pair.Dissolved": "Расформирована",
    "Pair.StartCorrected": "Исправлена дата формирования",
    "Program.Adopted": "Программа утверждена",
    "Program.OutputRecorded": "Учтён продукт программы",
    "Program.OutputRetracted": "Продукт отозван",
    "Organization.Registered": "Организация зарегистрирована",
    "Organization.Renamed": "Переименована",
    "Organization.Closed": "Закрыта",
    "Organization.ContingentReported": "Внесён контингент",
    "Organization.ContingentCorrected": "Исправлен контингент",
    "Organization.ChecklistItemCompleted": "Пункт чек-листа выполнен",
    "Organization.ChecklistItemReopened": "Отметка пункта чек-листа снята",
}

_HIDDEN = {"output_id", "training_id", "id"}


def _flatten(data: dict[str, Any], names: dict[str, str] | None = None, prefix: str = "") -> list[tuple[str, str]]:
    """An event's data as (Russian label, text) rows; ids and codes shown by their names."""
    names = names or {}
    shown: list[tuple[str, str]] = []
    for name, value in data.items():
        if name in _HIDDEN or value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            shown.extend(_flatten(value, names, prefix))
            continue
        label = FIELDS_RU.get(name, name)
        if isinstance(value, list):
            text = ", ".join(names.get(str(v), str(v)) for v in value)
        elif isinstance(value, str) and value in names:
            text = names[value]
        elif isinstance(value, bool):
            text = "да" if value else "нет"
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            text = pages.ru_date(value)
        else:
            text = str(value)
        shown.append((prefix + label, text))
    return shown


def ru_datetime(value: datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M UTC")


pages.TEMPLATES.filters["event_fields"] = _flatten
pages.TEMPLATES.filters["ru_datetime"] = ru_datetime
pages.TEMPLATES.filters["role_name"] = lambda role: {
    "admin": "администратор", "municipal": "координатор", "curator": "куратор", "auditor": "аудитор",
    "system": "система",
}.get(str(role), str(role))


def record_history(request: Request, staff: SignedIn, aggregate_id: UUID | str) -> list[EventOut]:
    """Every event of a record the caller has already shown to be in the person's scope."""
    try:
        found = history(request, Response(), UUID(str(aggregate_id)), staff.actor)
    except ApiProblem:
        return []
    return found.events


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _values(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)
    elif isinstance(data, str):
        yield data


def _names(request: Request, events: list[EventOut]) -> dict[str, str]:
    """Names of the records and reference codes the events mention (the record itself is in
    the person's scope, and so is what its events name)."""
    ids = sorted({v for e in events for v in _values(e.data) if _UUID.match(v)})
    with views_of(request).transaction(write=False) as tx:
        found, starts = record_names(tx, ids)
        codes = code_titles(tx)
    found.update((i, f"пара (группа) с {pages.ru_date(started)}") for i, started in starts.items())
    for code, title in codes.items():
        found.setdefault(code, title)
    found.update({str(k): v for k, v in CATEGORY_RU.items()})
    found.update(CONSENT_FIELDS_RU)
    found.update(ORGANIZATION_KIND_RU)
    return found


def history_context(request: Request, staff: SignedIn, aggregate_id: UUID | str) -> dict[str, Any]:
    """What `history.html.j2` needs: the events, their Russian names, and the names of what they mention."""
    events = record_history(request, staff, aggregate_id)
    return {"events": events, "event_labels": EVENTS_RU, "names": _names(request, events) if events else {}}


__all__ = ["EVENTS_RU", "history_context", "record_history"]
