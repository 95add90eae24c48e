"""A record's whole history on its page: the audit reader's events (`api.audit`), in Russian.

The same events the auditor's `/api/v1/audit/aggregates/{id}/history` returns, read from the
log itself: who recorded each, when, the date it took effect, the reason of a correction; an
erased person's data reads «данные удалены» (the key is gone, `registry.sealing`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import Request, Response

from api.audit import EventOut, history
from api.problems import ApiProblem
from api.staff import pages
from api.staff.session import SignedIn

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

FIELDS_RU = {
    "full_name": "ФИО", "birth_date": "дата рождения", "email": "почта", "phone": "телефон", "snils": "СНИЛС",
    "position": "должность", "mentor_type": "тип наставника", "forms": "формы", "subjects": "предметы",
    "employer": "работодатель", "capacity": "наставляемых одновременно", "applied_on": "дата заявки",
    "effective_date": "дата", "reason": "причина", "fields": "поля для публикации", "number": "номер документа",
    "issued_on": "дата документа", "link": "ссылка", "course": "курс", "provider": "организатор",
    "hours": "часов", "completed_on": "дата завершения", "certificate_number": "номер удостоверения",
    "category": "категория", "birth_year": "год рождения", "work_started_on": "начало работы",
    "registered_on": "дата регистрации", "mentor_id": "наставник", "mentee_ids": "наставляемые",
    "mentee_id": "наставляемый", "form": "форма", "kind": "вид", "program_id": "программа",
    "started_on": "дата начала", "ended_on": "дата окончания", "outcome": "результат", "joined_on": "дата включения",
    "title": "название", "starts_on": "начало", "ends_on": "окончание", "personalized": "персонализированная",
    "produced_on": "дата", "evidence_link": "подтверждение", "pair_id": "пара", "item": "пункт",
    "organization_id": "организация", "name": "название", "year": "год",
}
_HIDDEN = {"output_id", "training_id", "id"}


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for name, value in data.items():
        if name in _HIDDEN or value in (None, "", [], {}):
            continue
        if isinstance(value, dict):
            shown.extend(_flatten(value, prefix))
            continue
        label = FIELDS_RU.get(name, name)
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
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


def history_context(request: Request, staff: SignedIn, aggregate_id: UUID | str) -> dict[str, Any]:
    """What `history.html.j2` needs: the events and their Russian names."""
    return {"events": record_history(request, staff, aggregate_id), "event_labels": EVENTS_RU}


__all__ = ["EVENTS_RU", "history_context", "record_history"]
