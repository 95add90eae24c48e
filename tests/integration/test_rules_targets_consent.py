"""Targets name a known indicator, an existing unit, 0–100 %, a year; a consent withdrawal takes
effect on its date, or today when none is given, never later than the person asked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from support.world import TODAY, Region

from projections.indicators import INDICATORS
from registry import commands as c
from registry.errors import NotFound, RuleViolation
from registry.programs import target_plan_id
from registry.targets import INDICATOR_CODES


@pytest.fixture
def region(registry) -> Region:  # both stores
    return Region(registry)


def test_the_registry_knows_exactly_the_indicators_the_reports_compute():
    assert set(INDICATOR_CODES) == set(INDICATORS)


def test_a_target_for_an_unknown_indicator_is_refused(region):
    err = region.refuse(c.SetTarget(indicator="pupils_7_9", unit_kind="region", unit_id="27", year=2022,
                                    share_percent=Decimal(20)), expect=RuleViolation)

    assert (err.rule, err.field) == ("indicator_known", "indicator")


@pytest.mark.parametrize("unit_kind", ["municipality", "organization"])
def test_a_target_for_a_unit_that_does_not_exist_is_refused(region, unit_kind):
    missing = region.refuse(c.SetTarget(indicator="pupils_10_19", unit_kind=unit_kind, unit_id=str(uuid4()),
                                        year=2022, share_percent=Decimal(20)), expect=NotFound)
    malformed = region.refuse(c.SetTarget(indicator="pupils_10_19", unit_kind=unit_kind, unit_id="Школа № 1",
                                          year=2022, share_percent=Decimal(20)), expect=RuleViolation)

    assert missing.problems[0].field == "unit_id"
    assert (malformed.rule, malformed.field) == ("unit_exists", "unit_id")


def test_a_region_target_names_a_registered_region_and_the_refusal_says_which_are(region):
    target = {"indicator": "pupils_10_19", "unit_kind": "region", "year": 2022, "share_percent": Decimal(20)}
    none_yet = region.refuse(c.SetTarget(unit_id="27", **target), expect=RuleViolation)
    region.run(c.RegisterRegion(code="27", name="Хабаровский край"))
    region.run(c.RegisterRegion(code="28", name="Амурская область"))

    other = region.refuse(c.SetTarget(unit_id="Край", **target), expect=RuleViolation)
    region.run(c.SetTarget(unit_id="27", **target))

    assert (none_yet.rule, none_yet.field) == ("region_exists", "unit_id")
    assert "ни один регион ещё не зарегистрирован" in none_yet.message
    assert (other.rule, other.field) == ("region_exists", "unit_id")
    assert other.message.endswith("зарегистрированы: 27, 28")
    assert region.events(target_plan_id("pupils_10_19", "region", "27")) == ["Created", "TargetSet"]


def test_a_target_for_an_existing_municipality_is_recorded(region):
    region.run(c.SetTarget(indicator="young_teachers", unit_kind="municipality",
                           unit_id=str(region.home_municipality), year=2022, share_percent=Decimal("50.5")))


@pytest.mark.parametrize("field, value", [("share_percent", Decimal("100.5")), ("share_percent", Decimal(-1)),
                                          ("year", 1999)])
def test_a_target_outside_0_100_percent_or_a_year_is_refused(region, field, value):
    arguments = {"indicator": "pupils_10_19", "unit_kind": "region", "unit_id": "27", "year": 2022,
                 "share_percent": Decimal(20), field: value}
    with pytest.raises(ValueError):
        c.SetTarget(**arguments)


@pytest.mark.parametrize("asked, effective", [
    (date(2022, 12, 1), date(2022, 12, 1)),  # on its date
    (None, TODAY),  # none given: today
])
def test_a_consent_withdrawal_takes_effect_on_its_date_never_later(region, asked, effective):
    mentor = region.active_mentor()
    region.run(c.GiveConsent(mentor_id=mentor, fields=["name"], effective_date=date(2021, 9, 20)))

    region.run(c.WithdrawConsent(mentor_id=mentor, effective_date=asked))

    assert region.last_event(mentor).effective_date == effective


def test_a_consent_withdrawal_dated_in_the_future_is_refused_not_moved_to_today(region):
    mentor = region.active_mentor()
    region.run(c.GiveConsent(mentor_id=mentor, fields=["name"], effective_date=date(2021, 9, 20)))

    err = region.refuse(c.WithdrawConsent(mentor_id=mentor, effective_date=date(2030, 1, 1)), expect=RuleViolation)

    assert (err.rule, err.field) == ("date_not_in_future", "effective_date")
    assert region.last_event(mentor).__class__.__name__ == "ConsentGiven"
