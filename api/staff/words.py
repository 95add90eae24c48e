"""The Russian names of the registry's fixed codes, as the workspace shows them."""

from __future__ import annotations

from registry.values import MenteeCategory, MentorStatus, PairStatus

STATUS_RU = {
    MentorStatus.PENDING: "заявка на рассмотрении",
    MentorStatus.ACTIVE: "в реестре",
    MentorStatus.REJECTED: "заявка отклонена",
    MentorStatus.SUSPENDED: "приостановлен",
    MentorStatus.REMOVED: "исключён",
}
PAIR_STATUS_RU = {
    PairStatus.ACTIVE: "действует",
    PairStatus.COMPLETED: "завершена",
    PairStatus.DISSOLVED: "расформирована",
}
CATEGORY_RU = {
    MenteeCategory.PUPIL: "обучающийся",
    MenteeCategory.COLLEGE_STUDENT: "студент СПО",
    MenteeCategory.YOUNG_TEACHER: "молодой специалист (педагог)",
    MenteeCategory.TEACHER: "педагог",
}
CONSENT_FIELDS_RU = {
    "name": "ФИО",
    "organization": "организация",
    "municipality": "муниципалитет",
    "forms": "формы наставничества",
    "subjects": "предметы и компетенции",
    "training": "пройденное обучение",
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
    "organization_id": "организация", "municipality_id": "муниципалитет", "inn": "ИНН", "name": "название",
    "year": "год",
}

#: Labels of form fields whose last part alone would be ambiguous.
_FORM_LABELS = {
    "person.full_name": "ФИО", "profile.position": "Должность", "profile.mentor_type": "Тип наставника",
    "profile.forms": "Формы наставничества", "profile.subjects": "Предметы и компетенции",
    "consent.fields": "Согласие: что публиковать", "consent.effective_date": "Дата согласия",
    "consent.document.number": "Номер согласия", "consent.document.issued_on": "Дата согласия",
    "consent.document.link": "Ссылка на согласие", "order.number": "Номер приказа",
    "order.issued_on": "Дата приказа", "order.link": "Ссылка на приказ", "current": "Текущий пароль",
    "new": "Новый пароль", "repeat": "Новый пароль ещё раз", "file": "Файл",
}


def field_label(name: str) -> str:
    """A form field's name as a person reads it in the list of errors: «Наставляемый 2, год рождения»."""
    if name in _FORM_LABELS:
        return _FORM_LABELS[name]
    parts = name.split(".")
    if len(parts) >= 3 and parts[0] == "rows" and parts[1].isdigit():
        return f"Наставляемый {int(parts[1]) + 1}, {FIELDS_RU.get(parts[-1], parts[-1])}"
    label = FIELDS_RU.get(parts[-1], parts[-1])
    return label[:1].upper() + label[1:]

#: Kinds of organization (fixed codes of the registry).
ORGANIZATION_KIND_RU = {"school": "общеобразовательная", "college": "СПО", "extra": "дополнительное образование"}
