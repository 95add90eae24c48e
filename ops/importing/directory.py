"""Finding what a row names — a municipality, an organization, a mentor, a mentee, a program, a
reference entry — by its id, its INN, or its name as people write it.

The directory is read once per import from the log (the registration and renaming events only),
so that a file of thousands of rows costs one pass over the log, not one query per cell.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ops.importing.cells import CellError, key, text
from registry.application import Registry
from registry.errors import NotFound
from registry.reference import ListKind
from registry.values import MenteeCategory, OrganizationKind

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_INN = re.compile(r"^\d{10}(\d{2})?$")

_TOPICS = [
    "reestr:Municipality.Registered",
    "reestr:Municipality.Renamed",
    "reestr:Organization.Registered",
    "reestr:Organization.Renamed",
    "reestr:Mentor.Applied",
    "reestr:Mentor.ProfileUpdated",
    "reestr:Mentee.Registered",
    "reestr:Mentee.DetailsCorrected",
    "reestr:Program.Adopted",
]

ORGANIZATION_KINDS: dict[str, str] = {
    OrganizationKind.SCHOOL: "общеобразовательная организация",
    OrganizationKind.COLLEGE: "профессиональная образовательная организация (СПО)",
    OrganizationKind.EXTRA: "организация дополнительного образования",
}
_KIND_ALIASES = {
    OrganizationKind.SCHOOL: ("школа", "оо", "сош", "оош", "нош", "гимназия", "лицей", "общеобразовательная"),
    OrganizationKind.COLLEGE: ("спо", "колледж", "техникум", "училище", "профессиональная образовательная организация"),
    OrganizationKind.EXTRA: ("до", "дод", "удо", "дополнительное образование", "организация до",
                             "дополнительного образования"),
}

MENTEE_CATEGORIES: dict[str, str] = {
    MenteeCategory.PUPIL: "обучающийся",
    MenteeCategory.COLLEGE_STUDENT: "студент СПО",
    MenteeCategory.YOUNG_TEACHER: "молодой специалист (педагог до 35 лет, стаж до 3 лет)",
    MenteeCategory.TEACHER: "педагог",
}
_CATEGORY_ALIASES = {
    MenteeCategory.PUPIL: ("ученик", "школьник", "обучающийся оо", "учащийся", "ребенок"),
    MenteeCategory.COLLEGE_STUDENT: ("студент", "обучающийся спо", "студент колледжа"),
    MenteeCategory.YOUNG_TEACHER: ("молодой специалист", "молодой педагог", "молодой учитель"),
    MenteeCategory.TEACHER: ("учитель", "педагогический работник", "преподаватель"),
}

#: Which publishable profile fields (registry.values.PUBLISHABLE_FIELDS) people call how.
CONSENT_FIELDS: dict[str, str] = {
    "name": "ФИО",
    "organization": "организация",
    "municipality": "муниципалитет",
    "forms": "формы",
    "subjects": "предметы",
    "training": "обучение",
}
_CONSENT_ALIASES = {
    "name": ("фио", "имя", "фамилия имя отчество"),
    "organization": ("организация", "оо", "место работы"),
    "municipality": ("муниципалитет", "район", "муниципальный район"),
    "forms": ("формы", "формы наставничества"),
    "subjects": ("предметы", "компетенции", "предметы компетенции"),
    "training": ("обучение", "курсы"),
}


@dataclass
class OrgInfo:
    id: UUID
    name: str
    inn: str | None
    municipality_id: UUID


def as_uuid(value: str) -> UUID | None:
    return UUID(value) if _UUID.match(value) else None


def _choose(found: list[Any], what: str, shown: str, hint: str, *, feminine: bool = False) -> Any:
    if not found:
        raise CellError(f"{what} «{shown}» не найден{'а' if feminine else ''} в реестре")
    if len(set(found)) > 1:
        raise CellError(f"{what} «{shown}» — в реестре таких несколько: {hint}")
    return found[0]


class Directory:
    """What is already in the registry, indexed the ways people refer to it."""

    def __init__(self, registry: Registry) -> None:
        self.municipalities: dict[UUID, str] = {}
        self.municipality_codes: dict[str, UUID] = {}
        self.organizations: dict[UUID, OrgInfo] = {}
        self.mentors: dict[UUID, tuple[UUID, str]] = {}  # id -> (organization, name)
        self.mentees: dict[UUID, tuple[UUID, str, int | None]] = {}  # id -> (org, name, birth year)
        self.programs: dict[UUID, tuple[UUID, str]] = {}
        self.lists: dict[str, dict[str, str]] = {}  # list kind -> code -> title (active entries)
        self._read_log(registry)
        for kind in ListKind.ALL:
            try:
                reference = registry.reference_list(kind)
            except NotFound:  # a bare store without seeded lists: nothing to choose from
                self.lists[kind] = {}
                continue
            self.lists[kind] = {  # in the list's own order, as the region keeps it
                code: str(entry["title"]) for code, entry in reference.entries.items() if not entry["retired"]
            }
        self._index()

    # -- loading ---------------------------------------------------------------------------------

    def _read_log(self, registry: Registry) -> None:
        start = 1
        while True:
            batch = registry.recorder.select_notifications(start=start, limit=2000, topics=_TOPICS)
            if not batch:
                return
            for notification in batch:
                try:
                    event = registry.mapper.to_domain_event(notification)
                except Exception:  # noqa: BLE001, S112 - an unreadable (erased) event names nobody
                    continue
                self._apply(notification.topic, event)
            start = batch[-1].id + 1

    def _apply(self, topic: str, event: Any) -> None:
        oid = event.originator_id
        name = getattr(getattr(event, "person", None), "full_name", None)
        if topic.startswith("reestr:Municipality."):
            self.municipalities[oid] = event.name
            if topic.endswith("Registered") and getattr(event, "code", None):
                self.municipality_codes[key(event.code)] = oid
        elif topic == "reestr:Organization.Registered":
            self.organizations[oid] = OrgInfo(oid, event.name, event.inn, event.municipality_id)
        elif topic == "reestr:Organization.Renamed" and oid in self.organizations:
            self.organizations[oid].name = event.name
        elif topic == "reestr:Mentor.Applied" and isinstance(name, str):
            self.mentors[oid] = (event.organization_id, name)
        elif topic == "reestr:Mentor.ProfileUpdated" and oid in self.mentors and isinstance(name, str):
            self.mentors[oid] = (self.mentors[oid][0], name)
        elif topic == "reestr:Mentee.Registered" and isinstance(name, str):
            self.mentees[oid] = (event.organization_id, name, _birth_year(event))
        elif topic == "reestr:Mentee.DetailsCorrected" and oid in self.mentees and isinstance(name, str):
            self.mentees[oid] = (self.mentees[oid][0], name, _birth_year(event))
        elif topic == "reestr:Program.Adopted":
            self.programs[oid] = (event.organization_id, event.title)

    def _index(self) -> None:
        self._municipality_names: dict[str, list[UUID]] = defaultdict(list)
        for mid, name in self.municipalities.items():
            self._municipality_names[key(name)].append(mid)
        self._org_names: dict[str, list[UUID]] = defaultdict(list)
        self._org_inns: dict[str, list[UUID]] = defaultdict(list)
        for org in self.organizations.values():
            self._org_names[key(org.name)].append(org.id)
            if org.inn:
                self._org_inns[org.inn].append(org.id)
        self._mentor_names: dict[str, list[UUID]] = defaultdict(list)
        for mid, (_, name) in self.mentors.items():
            self._mentor_names[key(name)].append(mid)
        self._mentee_names: dict[tuple[UUID, str], list[UUID]] = defaultdict(list)
        for mid, (org_id, name, _) in self.mentees.items():
            self._mentee_names[(org_id, key(name))].append(mid)
        self._program_titles: dict[tuple[UUID, str], list[UUID]] = defaultdict(list)
        for pid, (org_id, title) in self.programs.items():
            self._program_titles[(org_id, key(title))].append(pid)

    # -- finding ---------------------------------------------------------------------------------

    def municipality(self, value: Any) -> UUID:
        shown = text(value) or ""
        found = as_uuid(shown)
        if found is not None and found in self.municipalities:
            return found
        if key(shown) in self.municipality_codes:
            return self.municipality_codes[key(shown)]
        return _choose(self._municipality_names.get(key(shown), []), "Муниципалитет", shown, "укажите его код")

    def organization(self, value: Any) -> UUID:
        shown = text(value) or ""
        found = as_uuid(shown)
        if found is not None and found in self.organizations:
            return found
        if _INN.match(shown):
            return _choose(self._org_inns.get(shown, []), "Организация с ИНН", shown, "укажите её идентификатор",
                           feminine=True)
        return _choose(self._org_names.get(key(shown), []), "Организация", shown, "укажите её ИНН", feminine=True)

    def mentor(self, value: Any, organization_id: UUID | None) -> UUID:
        """By id, or by full name — within the organization first, then anywhere in the region."""
        shown = text(value) or ""
        found = as_uuid(shown)
        if found is not None and found in self.mentors:
            return found
        everywhere = self._mentor_names.get(key(shown), [])
        local = [m for m in everywhere if self.mentors[m][0] == organization_id]
        return _choose(local or everywhere, "Наставник", shown, "укажите организацию наставника или его идентификатор")

    def mentee(self, value: Any, organization_id: UUID) -> UUID:
        shown = text(value) or ""
        found = as_uuid(shown)
        if found is not None and found in self.mentees:
            return found
        return _choose(
            self._mentee_names.get((organization_id, key(shown)), []),
            "Наставляемый",
            shown,
            "укажите вместо ФИО идентификатор наставляемого",
        )

    def program(self, value: Any, organization_id: UUID) -> UUID:
        shown = text(value) or ""
        found = as_uuid(shown)
        if found is not None and found in self.programs:
            return found
        return _choose(
            self._program_titles.get((organization_id, key(shown)), []),
            "Программа",
            shown,
            "укажите её идентификатор",
            feminine=True,
        )

    def code(self, list_kind: str, value: Any) -> str:
        """A reference entry by its code or its title, as the region's list has it now."""
        shown = text(value) or ""
        entries = self.lists.get(list_kind, {})
        if shown in entries:
            return shown
        wanted = key(shown)
        for code, title in entries.items():
            if key(title) == wanted or key(code) == wanted:
                return code
        allowed = "; ".join(entries.values())
        raise CellError(f"«{shown}» нет в справочнике. Допустимые значения: {allowed}")

    # -- what exists already (to skip a row that describes it) ----------------------------------

    def existing_municipality(self, name: str) -> UUID | None:
        found = self._municipality_names.get(key(name))
        return found[0] if found else None

    def existing_program(self, organization_id: UUID, title: str) -> UUID | None:
        found = self._program_titles.get((organization_id, key(title)))
        return found[0] if found else None

    def existing_organization(self, inn: str | None, name: str, municipality_id: UUID) -> UUID | None:
        if inn and self._org_inns.get(inn):
            return self._org_inns[inn][0]
        for oid in self._org_names.get(key(name), []):
            if self.organizations[oid].municipality_id == municipality_id:
                return oid
        return None

    def existing_mentor(self, organization_id: UUID, name: str) -> UUID | None:
        for mid in self._mentor_names.get(key(name), []):
            if self.mentors[mid][0] == organization_id:
                return mid
        return None

    def existing_mentee(self, organization_id: UUID, name: str, birth_year: int | None) -> UUID | None:
        for mid in self._mentee_names.get((organization_id, key(name)), []):
            if self.mentees[mid][2] == birth_year:
                return mid
        return None


def _birth_year(event: Any) -> int | None:
    birth_date = getattr(getattr(event, "person", None), "birth_date", None)
    return birth_date.year if birth_date is not None else getattr(event, "birth_year", None)


def fixed_choice(table: Mapping[Any, str], aliases: Mapping[Any, tuple[str, ...]], value: Any, what: str) -> str:
    """A code of a fixed list (organization kinds, mentee categories) by code, title or alias."""
    wanted = key(value)
    for code, title in table.items():
        if wanted in {key(code), key(title), *(key(a) for a in aliases.get(code, ()))}:
            return str(code)
    raise CellError(f"«{text(value)}» — не {what}. Допустимые значения: {'; '.join(table.values())}")


def organization_kind(value: Any) -> str:
    return fixed_choice(ORGANIZATION_KINDS, _KIND_ALIASES, value, "тип организации")


def mentee_category(value: Any) -> str:
    return fixed_choice(MENTEE_CATEGORIES, _CATEGORY_ALIASES, value, "категория наставляемого")


def consent_fields(values: list[str]) -> list[str]:
    """«да» — every publishable field; otherwise the fields named; «нет» — none."""
    if len(values) == 1 and key(values[0]) in {"да", "согласен", "согласна", "все", "все поля"}:
        return list(CONSENT_FIELDS)
    if len(values) == 1 and key(values[0]) in {"нет", "не согласен", "не согласна", "-"}:
        return []
    chosen = []
    for value in values:
        code = fixed_choice(CONSENT_FIELDS, _CONSENT_ALIASES, value, "поле для публикации")
        if code not in chosen:
            chosen.append(code)
    return chosen
