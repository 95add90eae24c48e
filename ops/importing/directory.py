"""Finding what a row names — a municipality, an organization, a mentor, a mentee, a program, a
reference entry — by its id, its INN, or its name as people write it.

The directory reads the views (caught up with the log first): units, programs and mentors once
per import, an organization's mentees when a row first names one of them — so a file costs what
it names, not the size of a region's log (reading and decrypting every person's registration
took 20 s at 1.3 million events).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self
from uuid import UUID

from ops.importing.cells import CellError, key, text
from projections.mentor_reads import every_mentor
from projections.mentoring_reads import every_program, mentee_organization, organization_mentees
from projections.projector import Projector
from projections.store import ViewStore, memory_view_store, open_view_store
from projections.unit_reads import every_municipality, every_organization
from registry.application import Registry
from registry.errors import NotFound
from registry.reference import ListKind
from registry.sealing import ERASED
from registry.values import MenteeCategory, OrganizationKind

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_INN = re.compile(r"^\d{10}(\d{2})?$")

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
    """What is already in the registry, indexed the ways people refer to it. A context manager:
    it holds the views open for the mentees it reads as rows name them."""

    def __init__(self, registry: Registry) -> None:
        self.municipalities: dict[UUID, str] = {}
        self.municipality_codes: dict[str, UUID] = {}
        self.organizations: dict[UUID, OrgInfo] = {}
        self.mentors: dict[UUID, tuple[UUID, str]] = {}  # id -> (organization, name)
        self.mentees: dict[UUID, tuple[UUID, str, int | None]] = {}  # id -> (org, name, birth year)
        self.programs: dict[UUID, tuple[UUID, str]] = {}
        self.lists: dict[str, dict[str, str]] = {}  # list kind -> code -> title (active entries)
        self._mentees_read: set[UUID] = set()  # organizations whose mentees are in self.mentees
        self._views = _caught_up_views(registry)
        try:
            self._read_views()
        except BaseException:
            self.close()
            raise
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

    def close(self) -> None:
        self._views.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _read_views(self) -> None:
        with self._views.transaction(write=False) as tx:
            for mid, name, code in every_municipality(tx):
                self.municipalities[UUID(mid)] = name
                if code:
                    self.municipality_codes[key(code)] = UUID(mid)
            for oid, name, inn, mid in every_organization(tx):
                self.organizations[UUID(oid)] = OrgInfo(UUID(oid), name, inn, UUID(mid))
            for mid, oid, name in every_mentor(tx):
                if name != ERASED:  # an erased name names nobody
                    self.mentors[UUID(mid)] = (UUID(oid), name)
            for pid, oid, title in every_program(tx):
                self.programs[UUID(pid)] = (UUID(oid), title)

    def _mentees_of(self, organization_id: UUID) -> None:
        if organization_id in self._mentees_read:
            return
        self._mentees_read.add(organization_id)
        with self._views.transaction(write=False) as tx:
            rows = organization_mentees(tx, str(organization_id))
        for mid, name, birth_year in rows:
            if name != ERASED:
                mentee_id = UUID(mid)
                self.mentees[mentee_id] = (organization_id, name, birth_year)
                self._mentee_names[(organization_id, key(name))].append(mentee_id)

    def _mentee_by_id(self, mentee_id: UUID) -> bool:
        if mentee_id not in self.mentees:
            with self._views.transaction(write=False) as tx:
                organization_id = mentee_organization(tx, str(mentee_id))
            if organization_id is not None:
                self._mentees_of(UUID(organization_id))
        return mentee_id in self.mentees

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
        if found is not None and self._mentee_by_id(found):
            return found
        self._mentees_of(organization_id)
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
        self._mentees_of(organization_id)
        for mid in self._mentee_names.get((organization_id, key(name)), []):
            if self.mentees[mid][2] == birth_year:
                return mid
        return None


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


def _caught_up_views(registry: Registry) -> ViewStore:
    """The views beside the registry (an in-memory copy for an in-memory log), caught up."""
    try:
        views = open_view_store(registry)
    except TypeError:  # a registry in memory (tests): views of its own, projected here
        views = memory_view_store()
    try:
        Projector(registry, views).catch_up()
    except BaseException:
        views.close()
        raise
    return views
