"""A record's history for people: the API's audit reads (`api.audit`), said in Russian.

The events come from the log itself through the same functions the audit endpoints use
(`api.audit.history`, `state`, `event_log`), so the page and `/api/v1/audit/...` never differ.
Here they get Russian names, dd.mm.yyyy dates and the facts worth reading in a line each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from api.audit import EventOut
from projections.as_known import EVENT_RU

AGGREGATE_RU = {
    "Mentor": "наставник",
    "Mentee": "наставляемый",
    "Pair": "пара (группа)",
    "Program": "программа наставничества",
    "Organization": "организация",
    "Municipality": "муниципалитет",
    "TargetPlan": "целевые показатели",
    "ReferenceList": "справочник",
    "User": "пользователь",
    "CommandRecord": "запись команды",
}

#: Events the report's list (`projections.as_known.EVENT_RU`) does not name.
_MORE_EVENTS_RU = {
    "Mentor.Rejected": "заявка наставника отклонена",
    "Mentor.ProfileUpdated": "изменена анкета наставника",
    "Mentor.ConsentWithdrawn": "согласие на публикацию отозвано",
    "Mentor.MenteesTaken": "наставник принял наставляемых",
    "Mentor.PairReleased": "пара наставника закрыта",
    "Mentor.PersonalDataErased": "персональные данные удалены (152-ФЗ)",
    "Mentee.EnrolledInPair": "наставляемый включён в пару (группу)",
    "Mentee.LeftPair": "наставляемый вышел из пары (группы)",
    "Mentee.PersonalDataErased": "персональные данные удалены (152-ФЗ)",
    "Municipality.Registered": "зарегистрирован муниципалитет",
    "Municipality.Renamed": "муниципалитет переименован",
    "Organization.Renamed": "организация переименована",
    "Organization.Closed": "организация закрыта",
    "Organization.ChecklistItemReopened": "снята отметка с пункта чек-листа",
    "TargetPlan.Created": "создан план целевых показателей",
    "ReferenceList.Created": "создан справочник",
    "ReferenceList.EntryAdded": "в справочник добавлено значение",
    "ReferenceList.EntryRenamed": "значение справочника переименовано",
    "ReferenceList.EntryRetired": "значение справочника выведено из употребления",
    "User.Added": "пользователю выдан доступ",
    "User.Revoked": "доступ пользователя отозван",
    "CommandRecord.Accepted": "команда принята",
}

ROLE_RU = {
    "admin": "институт (администратор)",
    "municipal": "муниципальный координатор",
    "curator": "куратор",
    "auditor": "аудитор",
    "system": "система",
}

#: Values never worth a line of their own (hashes and bookkeeping are not for people).
_SKIP = {"id", "token_sha256", "reason", "training_sources", "password_hash"}

#: Russian labels of the fields events and states carry (a field not here keeps its name).
FIELD_RU = {
    "organization_id": "организация (идентификатор)",
    "municipality_id": "муниципалитет (идентификатор)",
    "person": "персональные данные",
    "full_name": "ФИО",
    "birth_date": "дата рождения",
    "email": "эл. почта",
    "phone": "телефон",
    "snils": "СНИЛС",
    "profile": "анкета",
    "position": "должность",
    "mentor_type": "тип наставника",
    "forms": "формы",
    "form": "форма",
    "subjects": "предметы, компетенции",
    "employer": "работодатель",
    "capacity": "наставляемых одновременно",
    "applied_on": "дата заявки",
    "effective_date": "дата факта",
    "status": "статус",
    "status_since": "статус с",
    "status_reason": "причина статуса",
    "trainings": "обучение",
    "training_id": "обучение (идентификатор)",
    "record": "сведения",
    "course": "курс",
    "provider": "организатор",
    "hours": "часов",
    "completed_on": "дата окончания",
    "certificate_number": "номер удостоверения",
    "erased": "данные удалены",
    "name": "название",
    "region": "регион",
    "code": "код",
    "kind": "вид",
    "inn": "ИНН",
    "registered_on": "дата регистрации",
    "closed_on": "дата закрытия",
    "year": "год",
    "figures": "контингент",
    "item": "пункт",
    "document": "документ",
    "number": "номер",
    "issued_on": "дата документа",
    "link": "ссылка",
    "fields": "поля согласия",
    "consent_fields": "поля согласия",
    "mentor_id": "наставник (идентификатор)",
    "mentee_ids": "наставляемые (идентификаторы)",
    "mentee_id": "наставляемый (идентификатор)",
    "started_on": "начало",
    "ended_on": "окончание",
    "joined_on": "вступил(а)",
    "outcome": "результат",
    "program_id": "программа (идентификатор)",
    "title": "название",
    "starts_on": "начало",
    "ends_on": "окончание",
    "order": "приказ",
    "personalized": "персонализированная",
    "output_id": "продукт (идентификатор)",
    "produced_on": "дата продукта",
    "evidence_link": "подтверждение",
    "pair_id": "пара (идентификатор)",
    "category": "категория",
    "birth_year": "год рождения",
    "work_started_on": "начало работы",
    "role": "роль",
    "user_id": "пользователь",
    "indicator": "показатель",
    "unit_kind": "вид единицы",
    "unit_id": "единица",
    "share_percent": "доля, %",
    "list_kind": "справочник",
    "entries": "значения",
    "active_pairs": "активные пары",
    "revoked": "доступ отозван",
    "revoke_reason": "причина отзыва",
    "mentees": "наставляемые",
    "targets": "цели по годам",
    "students_total": "обучающихся всего",
    "students_10_19": "обучающихся 10–19 лет",
    "students_15_19": "обучающихся 15–19 лет",
    "students_extra": "обучающихся по программам ДО",
    "teachers_total": "педагогов всего",
    "young_teachers": "молодых педагогов",
    "corrects_version": "исправляет версию",
    "checklist": "чек-лист",
    "contingents": "контингент",
}


def field_title(name: str) -> str:
    return FIELD_RU.get(name, name)


def event_title(event_type: str) -> str:
    """The Russian name of an event type such as `Mentor.Approved`: the record pages' own name
    (`api.staff.history`), else the report's, else the type itself."""
    from api.staff.history import EVENTS_RU

    return EVENTS_RU.get(event_type) or EVENT_RU.get(event_type) or _MORE_EVENTS_RU.get(event_type) or event_type


def aggregate_title(aggregate_type: str) -> str:
    return AGGREGATE_RU.get(aggregate_type, aggregate_type)


def ru_date(value: date | str | None) -> str:
    """dd.mm.yyyy (an ISO text too); a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d.%m.%Y")


def ru_moment(value: datetime | None) -> str:
    """dd.mm.yyyy hh:mm:ss UTC (the log records moments in UTC)."""
    if value is None:
        return "—"
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d.%m.%Y %H:%M:%S UTC")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        return ru_date(value)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        shown = [
            f"{field_title(str(k))}: {_value(v)}"
            for k, v in value.items()
            if v not in (None, "", [], {}) and k not in _SKIP
        ]
        return "; ".join(shown) or "—"
    return "—" if value is None else str(value)


def event_facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, value) of what an event recorded, empty values left out."""
    return [
        (field_title(name), _value(value))
        for name, value in data.items()
        if name not in _SKIP and value not in (None, "", [], {})
    ]


def event_row(event: EventOut) -> dict[str, Any]:
    """One event as a row of the history table."""
    who = event.who
    return {
        "position": event.position,
        "version": event.version,
        "type": event.type,
        "title": event_title(event.type),
        "recorded_at": ru_moment(event.recorded_at),
        "effective_date": ru_date(event.effective_date),
        "effective": event.effective_date,
        "recorded_on": event.recorded_at.date(),
        "reason": event.reason,
        "who": None if who is None else (who.user_name or who.user_id),
        "role": None if who is None else ROLE_RU.get(who.role, who.role),
        "aggregate_id": str(event.aggregate_id),
        "facts": event_facts(event.data),
        "correction": event.type.endswith("Corrected") or event.type.endswith("Retracted"),
    }


def effective_by(rows: list[dict[str, Any]], day: date) -> list[dict[str, Any]]:
    """The events in force on `day` as the log says now (corrections included): those whose
    world date — or, without one, whose recording day — is not after it."""
    return [row for row in rows if (row["effective"] or row["recorded_on"]) <= day]
