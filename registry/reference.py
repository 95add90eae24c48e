"""Reference lists the region keeps as data: forms of mentoring, mentor types, output kinds...

Sources quote these lists inconsistently and regions rename and extend them, so they are
events in the log, not enums in code. `DEFAULT_LISTS` seeds a new registry.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from registry.base import RegistryAggregate, pinned, require, require_reason


class ListKind:
    MENTORING_FORM = "mentoring_form"
    MENTORING_KIND = "mentoring_kind"
    MENTOR_TYPE = "mentor_type"
    OUTPUT_KIND = "output_kind"
    CHECKLIST_ITEM = "checklist_item"

    ALL = (MENTORING_FORM, MENTORING_KIND, MENTOR_TYPE, OUTPUT_KIND, CHECKLIST_ITEM)


@pinned("ReferenceList")
class ReferenceList(RegistryAggregate):
    """One list (e.g. forms of mentoring), its entries addressed by a stable code."""

    @staticmethod
    def create_id(kind: str) -> UUID:
        return reference_list_id(kind)

    @event("Created")
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.entries: dict[str, dict[str, object]] = {}

    def add(self, code: str, title: str) -> None:
        require(
            code not in self.entries,
            rule="reference_code_unique",
            field="code",
            message=f"Код «{code}» уже есть в справочнике",
        )
        self._entry_added(code=code, title=title)

    @event("EntryAdded")
    def _entry_added(self, code: str, title: str) -> None:
        self.entries[code] = {"title": title, "retired": False}

    def rename(self, code: str, title: str) -> None:
        self._require_entry(code)
        self._entry_renamed(code=code, title=title)

    @event("EntryRenamed")
    def _entry_renamed(self, code: str, title: str) -> None:
        self.entries[code]["title"] = title

    def retire(self, code: str, reason: str) -> None:
        self._require_entry(code)
        self._entry_retired(code=code, reason=require_reason(reason))

    @event("EntryRetired")
    def _entry_retired(self, code: str, reason: str) -> None:
        self.entries[code]["retired"] = True

    def _require_entry(self, code: str) -> None:
        require(
            code in self.entries,
            rule="reference_code_exists",
            field="code",
            message=f"В справочнике нет кода «{code}»",
        )

    def active_codes(self) -> set[str]:
        return {code for code, entry in self.entries.items() if not entry["retired"]}

    def title_of(self, code: str) -> str:
        return str(self.entries[code]["title"])


def reference_list_id(kind: str) -> UUID:
    """One list per kind per deployment, so its id follows from the kind."""
    return uuid5(NAMESPACE_URL, f"reestr:reference-list:{kind}")


DEFAULT_LISTS: dict[str, list[tuple[str, str]]] = {
    ListKind.MENTORING_FORM: [
        ("pupil_pupil", "ученик – ученик"),
        ("teacher_teacher", "учитель – учитель"),
        ("student_pupil", "студент – ученик"),
        ("employer_pupil", "работодатель – ученик"),
        ("student_student", "студент – студент"),
        ("educator_student", "педагог – студент"),
        ("employer_student", "работодатель – студент"),
        ("educator_educator", "педагог – педагог"),
    ],
    ListKind.MENTORING_KIND: [
        ("virtual", "виртуальное"),
        ("group", "в группе"),
        ("short_term", "краткосрочное (целеполагающее)"),
        ("reverse", "реверсивное"),
        ("situational", "ситуационное"),
        ("speed", "скоростное"),
        ("traditional", "традиционное (долгосрочное)"),
    ],
    ListKind.MENTOR_TYPE: [
        ("pupil", "обучающийся"),
        ("teacher", "педагог"),
        ("university_student", "студент вуза"),
        ("college_student", "студент СПО"),
        ("employer", "представитель работодателя"),
        ("graduate", "выпускник"),
        ("parent", "родитель"),
    ],
    ListKind.OUTPUT_KIND: [
        ("project", "проект"),
        ("methodology", "методическая разработка"),
        ("competition", "результат конкурса"),
        ("publication", "публикация"),
        ("event", "мероприятие"),
        ("case", "кейс"),
    ],
    ListKind.CHECKLIST_ITEM: [
        ("curator_appointed", "Приказом назначен куратор внедрения ЦМН"),
        ("roadmap_adopted", "Утверждена дорожная карта"),
        ("regulation_adopted", "Утверждено положение о наставничестве"),
        ("programs_adopted", "Утверждены программы наставничества"),
        ("website_section", "На сайте опубликован раздел «Наставничество»"),
        ("mentors_trained", "Наставники прошли обучение"),
        ("monitoring_held", "Проведён внутренний мониторинг"),
        ("data_submitted", "Данные представлены в региональный реестр"),
    ],
}
