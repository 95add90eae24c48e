"""Periods: boundaries, reference dates, ages and years of work, parsing of the CLI's periods."""

from __future__ import annotations

from datetime import date

import pytest

from projections.periods import Period


def test_calendar_and_school_years() -> None:
    year = Period.calendar_year(2021)
    assert (year.start, year.end, year.reference_date, year.reporting_year) == (
        date(2021, 1, 1), date(2021, 12, 31), date(2021, 12, 31), 2021)
    school = Period.school_year(2021)
    assert (school.start, school.end, school.reference_date, school.reporting_year, school.key) == (
        date(2021, 9, 1), date(2022, 8, 31), date(2021, 9, 1), 2021, "2021/22")
    day = Period.day(date(2021, 3, 1))
    assert (day.start, day.end, day.reporting_year) == (date(2021, 3, 1), date(2021, 3, 1), 2021)


@pytest.mark.parametrize(
    ("first", "last", "involved"),
    [
        (date(2020, 12, 31), date(2021, 1, 1), True),  # one day inside is enough
        (date(2020, 1, 1), date(2020, 12, 31), False),  # ended the day before
        (date(2021, 12, 31), None, True),  # starts on the last day, still going
        (date(2022, 1, 1), None, False),
        (date(2019, 1, 1), None, True),  # straddles the whole year
    ],
)
def test_overlap_is_inclusive(first: date, last: date | None, involved: bool) -> None:
    assert Period.calendar_year(2021).overlaps(first, last) is involved


def test_age_and_years_of_work_on_the_reference_date() -> None:
    year = Period.calendar_year(2021)
    assert (year.age(2011), year.age(2006), year.age(None)) == (10, 15, None)
    assert year.is_young_teacher(date(2019, 1, 1)) is True  # 2 years 11 months on 31 Dec 2021
    assert year.is_young_teacher(date(2018, 12, 31)) is False  # exactly 3 years: no longer young
    assert year.is_young_teacher(None) is False
    school = Period.school_year(2021)
    assert school.is_young_teacher(date(2021, 9, 2)) is True  # hired after 1 September: first year
    assert school.is_young_teacher(date(2018, 9, 1)) is False
    leap = Period.day(date(2023, 2, 28))
    assert leap.is_young_teacher(date(2020, 2, 29)) is True  # three years end on 1 March 2023


def test_parse() -> None:
    assert Period.parse("2020") == Period.calendar_year(2020)
    assert Period.parse("2020", school_year=True) == Period.school_year(2020)
    assert Period.parse("2020/21") == Period.school_year(2020)
    assert Period.parse("2021-03-01") == Period.day(date(2021, 3, 1))
    with pytest.raises(ValueError):
        Period.parse("прошлый год")
