"""Reporting periods and their reference dates.

A person is involved in a period when one of their pair intervals [joined_on, ended_on]
(both days inclusive; an open pair has no end) shares at least one day with the period.

Reference date (the day ages, years of work, contingent and target are taken on):
- calendar year Y (1 Jan – 31 Dec Y): 31 December Y, the period's end;
- school year Y/Y+1 (1 Sep Y – 31 Aug Y+1): 1 September Y, its start (when ОО-1 counts pupils);
- a single date D: D itself.
The reporting year (contingent year, target year) is the year of the reference date, so a
school year 2021/22 uses the 2021 contingent and the 2021 target.

Age is the age reached in the reporting year: `reference year − birth year`. The views keep
only the birth year of mentees (as the Mentee aggregate does for counting; they are mostly
children, and a birth date is personal data the indicators do not need); this is the
statistical convention of ОО-1 (full years on 1 January of the next year) and is exact on
31 December. A young teacher is a mentee of category young_teacher whose work started
less than three years before the reference date (or after it: a specialist hired on
2 September is in the first year of work for the school year that began on 1 September).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CALENDAR_YEAR = "calendar_year"
SCHOOL_YEAR = "school_year"
DAY = "day"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    reference_date: date
    key: str
    label: str

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(
            kind=CALENDAR_YEAR,
            start=date(year, 1, 1),
            end=date(year, 12, 31),
            reference_date=date(year, 12, 31),
            key=str(year),
            label=f"{year} год",
        )

    @classmethod
    def school_year(cls, year: int) -> Period:
        """The school year that starts on 1 September `year`."""
        short = f"{year}/{(year + 1) % 100:02d}"
        return cls(
            kind=SCHOOL_YEAR,
            start=date(year, 9, 1),
            end=date(year + 1, 8, 31),
            reference_date=date(year, 9, 1),
            key=short,
            label=f"{short} учебный год",
        )

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(
            kind=DAY,
            start=day,
            end=day,
            reference_date=day,
            key=day.isoformat(),
            label=f"на {day:%d.%m.%Y}",
        )

    @classmethod
    def parse(cls, text: str, *, school_year: bool = False) -> Period:
        """`2021` (a calendar year, or with school_year the one starting 1 Sep 2021),
        `2021/22` (a school year) or `2021-03-01` (a date)."""
        text = text.strip()
        if "/" in text:
            return cls.school_year(int(text.split("/", 1)[0]))
        if "-" in text:
            return cls.day(date.fromisoformat(text))
        year = int(text)
        return cls.school_year(year) if school_year else cls.calendar_year(year)

    @property
    def reporting_year(self) -> int:
        return self.reference_date.year

    def overlaps(self, first: date, last: date | None) -> bool:
        """Whether [first, last] (last None: still going) shares a day with the period."""
        return first <= self.end and (last is None or last >= self.start)

    def age(self, birth_year: int | None) -> int | None:
        return None if birth_year is None else self.reference_date.year - birth_year

    def is_young_teacher(self, work_started_on: date | None) -> bool:
        """Less than three years of work on the reference date (work that starts after it, e.g.
        a specialist hired on 2 September of a school year, is in its first year: young)."""
        if work_started_on is None:
            return False
        return self.reference_date < _add_years(work_started_on, 3)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "reference_date": self.reference_date.isoformat(),
            "reporting_year": self.reporting_year,
        }


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none: the day after 28 February
        return date(day.year + years, 3, 1)


REFERENCE_DATE_RULE_RU = (
    "Дата расчёта: для календарного года — 31 декабря, для учебного года — 1 сентября "
    "(его начало), для отдельной даты — сама дата. Контингент и целевое значение берутся за год "
    "даты расчёта. Возраст — число лет, исполняющихся в году даты расчёта (год расчёта минус "
    "год рождения). Молодой педагог — наставляемый категории «молодой специалист» со стажем "
    "менее трёх лет на дату расчёта. Человек охвачен наставничеством в периоде, если хотя бы "
    "одна его пара (группа) действовала хотя бы один день периода. Доля округляется до сотых "
    "процента; изменение — разность округлённых долей, в процентных пунктах; для муниципалитета "
    "и региона числители и знаменатели суммируются по организациям, доли не усредняются."
)
