"""The columns of each kind of file: Russian headers (and the other names people give them),
what a cell must hold, and the list a template offers for it.

The same definitions write the templates (`ops.templates`) and read the files back, so a
template filled in is always a file the import understands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ops.importing.cells import key


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    parse: str = "text"  # text | date | int | year_or_date | bool | list
    required: bool = False
    hint: str = ""
    aliases: tuple[str, ...] = ()
    #: The list a template offers: a reference list kind, or "municipalities", "organizations",
    #: "organization_kinds", "mentee_categories", "consent".
    choices: str | None = None
    multi: bool = False

    def header(self) -> str:
        return f"{self.title}*" if self.required else self.title

    def names(self) -> frozenset[str]:
        return _names(self.title, self.aliases)

    def matches(self, header: str) -> bool:
        """Whether a header cell names this column, as written or abbreviated with dots."""
        if _header_key_cached(header) in self.names():
            return True
        return any(_abbreviates_cached(header, name) for name in (self.title, *self.aliases))


@dataclass(frozen=True)
class Kind:
    name: str
    title: str  # for people: «база наставников»
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def column(self, column_key: str) -> Column:
        return next(c for c in self.columns if c.key == column_key)


@lru_cache(maxsize=1024)
def _names(title: str, aliases: tuple[str, ...]) -> frozenset[str]:
    return frozenset({header_key(title), *(header_key(a) for a in aliases)})


# Parenthesized notes, a trailing «*» or «:», a leading column number («1.», «2)»).
_NOTE = re.compile(r"\(.*?\)|\[.*?\]")
_NUMBERING = re.compile(r"^\s*\d{1,2}\s*[.)]\s*(?=\D)")
_WORD = re.compile(r"[^\W_]+(\.)?")

#: Headers that are never a column of data: the row number officials put first («№ п/п»).
IGNORED_HEADERS = frozenset({"", "пп", "нпп", "номер", "номерпп", "порядковыйномер", "no", "n"})


def _plain(value: object) -> str:
    cleaned = key(value)
    cleaned = _NOTE.sub(" ", cleaned)
    return _NUMBERING.sub("", cleaned)


def header_key(value: object) -> str:
    """A header as matched: case, punctuation, spaces and «ё» do not matter, nor notes in
    parentheses: «ФИО*», «Ф.И.О.», «Ф. И. О.», «ФИО (полностью)» and «фио» are one header."""
    return "".join(part.group(0).rstrip(".") for part in _WORD.finditer(_plain(value)))


def header_words(value: object) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The header's words, and for each whether it ends with a dot (an abbreviation: «рожд.»)."""
    parts = list(_WORD.finditer(_plain(value)))
    return (
        tuple(part.group(0).rstrip(".") for part in parts),
        tuple(part.group(1) is not None for part in parts),
    )


def abbreviates(header: object, name: str) -> bool:
    """Whether the header is `name` with words cut short and a dot: «Дата рожд.» is «Дата
    рождения», «Наим. ОУ» is «Наименование ОУ», «Ф. И. О.» is «Фамилия, имя, отчество»."""
    words, dotted = header_words(header)
    wanted, _ = header_words(name)
    if not any(dotted) or len(words) != len(wanted):
        return False
    return all(
        word == full or (dot and full.startswith(word))
        for word, dot, full in zip(words, dotted, wanted, strict=True)
    )


DATE_HINT = "ДД.ММ.ГГГГ"

ORGANIZATION = Column(
    "organization", "Организация", required=True, choices="organizations",
    hint="название из списка, ИНН или идентификатор",
    aliases=("Наименование ОО", "Образовательная организация", "ОО", "Наименование организации",
             "Организация (ОО)", "Полное наименование ОО", "ОУ", "Наименование ОУ",
             "Образовательное учреждение", "Наименование образовательной организации",
             "Наименование образовательного учреждения", "Учреждение", "Наименование учреждения"),
)
FULL_NAME = Column(
    "full_name", "ФИО", required=True, hint="полностью: Иванова Мария Петровна",
    aliases=("Фамилия, имя, отчество", "Фамилия Имя Отчество", "ФИО полностью"),
)

#: The person's name as each file heads it («ФИО наставника» in the mentors' file).
MENTOR_NAME = replace(FULL_NAME, aliases=(*FULL_NAME.aliases, "ФИО наставника"))
MENTEE_NAME = replace(FULL_NAME, aliases=(*FULL_NAME.aliases, "ФИО наставляемого"))

MUNICIPALITIES = Kind("municipalities", "муниципалитеты", (
    Column("name", "Муниципалитет", required=True, hint="муниципальный район или городской округ",
           aliases=("Муниципальное образование", "Наименование муниципалитета", "Район")),
    Column("region", "Регион", required=True, hint="субъект РФ", aliases=("Субъект РФ", "Субъект")),
    Column("code", "Код", hint="код ОКТМО или свой", aliases=("ОКТМО", "Код муниципалитета")),
), aliases=("муниципалитеты", "municipality"))

ORGANIZATIONS = Kind("organizations", "организации", (
    Column("name", "Наименование организации", required=True, hint="полное или краткое наименование",
           aliases=("Наименование ОО", "Организация", "Название организации", "Наименование")),
    Column("kind", "Тип организации", required=True, choices="organization_kinds", hint="из списка",
           aliases=("Тип ОО", "Вид организации")),
    Column("municipality", "Муниципалитет", required=True, choices="municipalities", hint="из списка",
           aliases=("Муниципальное образование", "Район", "Муниципальный район")),
    Column("inn", "ИНН", hint="10 или 12 цифр", aliases=("ИНН организации",)),
    Column("registered_on", "Дата включения в реестр", parse="date", required=True,
           hint=f"{DATE_HINT}: с какого дня организация участвует в ЦМН",
           aliases=("Дата регистрации", "Дата включения")),
), aliases=("организации", "organization", "оо"))

_COUNT_HINT = "целое число; пусто — неизвестно"
CONTINGENTS = Kind("contingents", "контингент", (
    ORGANIZATION,
    Column("year", "Год", parse="int", required=True, hint="отчётный год, например 2021",
           aliases=("Отчётный год", "Отчетный год")),
    Column("students_total", "Обучающихся всего", parse="int", hint=_COUNT_HINT,
           aliases=("Количество обучающихся", "Всего обучающихся")),
    Column("students_10_19", "Обучающихся 10–19 лет", parse="int", hint=_COUNT_HINT,
           aliases=("Обучающихся в возрасте от 10 до 19 лет", "Из них 10-19 лет")),
    Column("students_15_19", "Обучающихся 15–19 лет", parse="int", hint=_COUNT_HINT,
           aliases=("Обучающихся в возрасте от 15 до 19 лет", "Из них 15-19 лет")),
    Column("students_extra", "Обучающихся по программам ДО", parse="int", hint=_COUNT_HINT,
           aliases=("Обучающихся по дополнительным общеобразовательным программам",)),
    Column("teachers_total", "Педагогов всего", parse="int", hint=_COUNT_HINT,
           aliases=("Количество педагогов", "Всего педагогов")),
    Column("young_teachers", "Молодых педагогов до 35 лет со стажем до 3 лет", parse="int",
           hint=_COUNT_HINT, aliases=("Молодых педагогов", "Молодые специалисты")),
    Column("reason", "Причина исправления", hint="заполняется, только если год уже внесён"),
), aliases=("контингент", "contingent"))

MENTORS = Kind("mentors", "база наставников", (
    MENTOR_NAME,
    ORGANIZATION,
    Column("position", "Должность", required=True, hint="например: учитель математики",
           aliases=("Должность (для обучающихся — класс)", "Должность наставника")),
    Column("mentor_type", "Тип наставника", required=True, choices="mentor_type", hint="из списка",
           aliases=("Категория наставника", "Наставник (категория)")),
    Column("forms", "Формы наставничества", parse="list", choices="mentoring_form", multi=True,
           hint="из списка; несколько — через «;»", aliases=("Форма наставничества", "Формы")),
    Column("subjects", "Предметы, компетенции", parse="list", hint="через «;»",
           aliases=("Предметы", "Компетенции", "Предметная область", "Предмет")),
    Column("employer", "Место работы (для внешних наставников)", hint="работодатель, вуз",
           aliases=("Место работы", "Работодатель")),
    Column("capacity", "Сколько наставляемых может вести", parse="int", hint="целое число",
           aliases=("Нагрузка", "Количество наставляемых")),
    Column("applied_on", "Дата заявки", parse="date", hint=f"{DATE_HINT}; пусто — дата вхождения",
           aliases=("Дата подачи заявки",)),
    Column("approved_on", "Дата вхождения в реестр", parse="date",
           hint=f"{DATE_HINT}; пусто — заявка остаётся на рассмотрении",
           aliases=("Дата вхождения", "Дата включения в реестр", "Дата включения в базу")),
    Column("consent", "Согласие на публикацию", parse="list", choices="consent", multi=True,
           hint="да / нет / перечень полей через «;»",
           aliases=("Согласие на публикацию персональных данных", "Согласие")),
    Column("consent_on", "Дата согласия", parse="date", hint=f"{DATE_HINT}; пусто — дата заявки"),
    Column("birth_date", "Дата рождения", parse="date", hint=DATE_HINT),
    Column("email", "Электронная почта", hint="имя@домен", aliases=("E-mail", "Email", "Эл. почта")),
    Column("phone", "Телефон", hint="", aliases=("Контактный телефон",)),
    Column("snils", "СНИЛС", hint="11 цифр"),
), aliases=("наставники", "mentor", "база наставников"))

MENTEES = Kind("mentees", "база наставляемых", (
    MENTEE_NAME,
    Column("category", "Категория", required=True, choices="mentee_categories", hint="из списка",
           aliases=("Категория наставляемого", "Статус наставляемого")),
    ORGANIZATION,
    Column("birth", "Год или дата рождения", parse="year_or_date",
           hint="год (2008) или ДД.ММ.ГГГГ; для обучающихся обязательно",
           aliases=("Дата рождения", "Год рождения")),
    Column("work_started_on", "Дата начала работы", parse="date",
           hint=f"{DATE_HINT}; для молодых специалистов обязательно",
           aliases=("Дата начала педагогической деятельности", "Дата начала педагогической работы")),
    Column("registered_on", "Дата включения в программу", parse="date", required=True, hint=DATE_HINT,
           aliases=("Дата включения", "Дата вхождения", "Дата регистрации",
                    "Дата включения в программу наставничества", "Дата начала наставничества")),
), aliases=("наставляемые", "mentee", "база наставляемых"))

PAIRS = Kind("pairs", "пары и группы", (
    Column("mentor", "ФИО наставника", required=True, hint="как в базе наставников, или идентификатор",
           aliases=("Наставник",)),
    Column("mentor_organization", "Организация наставника", choices="organizations",
           hint="пусто — организация пары", aliases=()),
    Column("mentees", "ФИО наставляемого", parse="list", required=True,
           hint="для группы — несколько через «;»",
           aliases=("Наставляемый", "Наставляемые", "ФИО наставляемых")),
    ORGANIZATION,
    Column("form", "Форма наставничества", required=True, choices="mentoring_form", hint="из списка",
           aliases=("Форма",)),
    Column("kind", "Вид наставничества", choices="mentoring_kind", hint="из списка",
           aliases=("Вид",)),
    Column("program", "Программа", hint="название программы организации",
           aliases=("Программа наставничества",)),
    Column("started_on", "Дата начала", parse="date", required=True, hint=DATE_HINT,
           aliases=("Дата формирования пары", "Дата закрепления", "Дата формирования",
                    "Дата начала наставничества")),
    Column("ended_on", "Дата завершения", parse="date", hint=f"{DATE_HINT}; пусто — пара действует",
           aliases=("Дата окончания",)),
    Column("outcome", "Результат", hint="если пара завершена", aliases=("Итог",)),
    Column("end_reason", "Причина расформирования", hint="если пара расформирована",
           aliases=("Причина",)),
), aliases=("пары", "pair", "группы"))

TRAININGS = Kind("trainings", "обучение наставников", (
    Column("mentor", "ФИО наставника", required=True, hint="как в базе наставников, или идентификатор",
           aliases=("Наставник", "ФИО")),
    ORGANIZATION,
    Column("course", "Курс", required=True, hint="название программы обучения",
           aliases=("Программа обучения", "Название курса", "Программа ДПО")),
    Column("provider", "Организатор обучения", required=True, hint="например: ХК ИРО",
           aliases=("Кем проведено", "Организация, проводившая обучение", "Провайдер")),
    Column("hours", "Часов", parse="int", hint="целое число", aliases=("Количество часов", "Объём, ч")),
    Column("completed_on", "Дата окончания", parse="date", required=True, hint=DATE_HINT,
           aliases=("Дата окончания обучения", "Дата завершения")),
    Column("certificate_number", "Номер удостоверения", hint="",
           aliases=("Удостоверение", "Номер сертификата", "№ удостоверения")),
), aliases=("обучение", "training", "курсы"))

PROGRAMS = Kind("programs", "программы наставничества", (
    ORGANIZATION,
    Column("title", "Название программы", required=True, hint="",
           aliases=("Программа", "Наименование программы")),
    Column("forms", "Формы наставничества", parse="list", choices="mentoring_form", multi=True,
           hint="из списка; несколько — через «;»", aliases=("Формы",)),
    Column("starts_on", "Дата начала", parse="date", required=True, hint=DATE_HINT),
    Column("ends_on", "Дата окончания", parse="date", hint=DATE_HINT),
    Column("order_number", "Номер приказа", hint="", aliases=("Приказ №", "Приказ")),
    Column("order_date", "Дата приказа", parse="date", hint=DATE_HINT),
    Column("order_link", "Ссылка на приказ", hint="адрес на сайте"),
    Column("personalized", "Персонализированная", parse="bool", hint="да / нет",
           aliases=("Персонализированная программа",)),
), aliases=("программы", "program"))

OUTPUTS = Kind("outputs", "продукты наставнической деятельности", (
    ORGANIZATION,
    Column("program", "Программа", required=True, hint="название программы организации",
           aliases=("Программа наставничества",)),
    Column("kind", "Вид продукта", required=True, choices="output_kind", hint="из списка",
           aliases=("Вид", "Тип продукта")),
    Column("title", "Название", required=True, hint="", aliases=("Название продукта", "Продукт")),
    Column("produced_on", "Дата", parse="date", required=True, hint=DATE_HINT,
           aliases=("Дата создания", "Дата получения")),
    Column("evidence_link", "Ссылка", hint="подтверждение: адрес страницы или файла",
           aliases=("Ссылка на подтверждение",)),
), aliases=("продукты", "output", "результаты"))

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (MUNICIPALITIES, ORGANIZATIONS, CONTINGENTS, MENTORS, MENTEES, PAIRS, TRAININGS,
                 PROGRAMS, OUTPUTS)
}


def kind_named(name: str) -> Kind | None:
    """A kind by its name or one of its Russian names."""
    wanted = key(name)
    for kind in KINDS.values():
        if wanted in {kind.name, key(kind.title), *(key(a) for a in kind.aliases)}:
            return kind
    return None


def match_headers(kind: Kind, cells: list[object]) -> dict[str, int]:
    """Column key -> 0-based index of the cell whose header names it (first one wins)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue  # headers are text; numbers and dates are data
        for column in kind.columns:
            if column.key not in found and column.matches(cell):
                found[column.key] = index
                break
    return found


def ignored_header(cell: object) -> bool:
    """A header that is not data (the row number column «№ п/п»): never reported as unknown."""
    return header_key(cell) in IGNORED_HEADERS


@lru_cache(maxsize=4096)
def _header_key_cached(cell: str) -> str:
    return header_key(cell)


@lru_cache(maxsize=16384)
def _abbreviates_cached(cell: str, name: str) -> bool:
    return abbreviates(cell, name)


def header_score(kind: Kind, cells: list[object]) -> tuple[int, int, int]:
    """How well a row reads as the header of this kind, best first when sorted in reverse:
    (all required columns there, required columns found, columns found)."""
    found = match_headers(kind, cells)
    required = [c.key for c in kind.columns if c.required]
    present = sum(1 for k in required if k in found)
    return (int(present == len(required)), present, len(found))
