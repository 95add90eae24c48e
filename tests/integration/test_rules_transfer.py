"""A pair passes to another mentor on a date (a mentor leaves mid-year): the mentees stay in the
pair, so their involvement is continuous; each mentor's load counts only the days they led it."""

from __future__ import annotations

from datetime import date

import pytest
from support.world import Region, curator_of
from support import view_reads

from projections.facts import load_facts
from projections.indicators import IndicatorEngine
from projections.periods import Period
from projections.projector import project_until
from registry import commands as c
from registry.errors import RuleViolation
from registry.mentors import Mentor
from registry.pairs import Pair
from registry.values import PairStatus


@pytest.fixture
def region(registry) -> Region:  # both stores
    return Region(registry)


def transfer(pair_id, mentor_id, on=date(2022, 1, 10), reason="Наставник уволилась"):  # type: ignore[no-untyped-def]
    return c.TransferPair(pair_id=pair_id, mentor_id=mentor_id, transferred_on=on, reason=reason)


def test_a_pair_passes_to_another_mentor_and_the_mentee_stays_involved(region):
    leaving, taking = region.active_mentor(), region.active_mentor(capacity=1)
    pupil = region.mentee(birth_date=date(2006, 3, 1))
    pair_id = region.pair(leaving, [pupil], started_on=date(2021, 10, 1))

    region.run(transfer(pair_id, taking), curator_of(region.home))
    region.run(c.RemoveMentor(mentor_id=leaving, reason="Уволилась", effective_date=date(2022, 1, 10)))

    pair = region.get(Pair, pair_id)
    assert (pair.mentor_id, pair.status) == (taking, PairStatus.ACTIVE)
    assert pair.mentor_history == [(str(leaving), date(2021, 10, 1)), (str(taking), date(2022, 1, 10))]
    assert region.events(pair_id) == ["Formed", "MentorChanged"]
    assert region.get(Mentor, leaving).current_load == 0 and region.get(Mentor, taking).current_load == 1
    store = project_until(region.registry, region.registry.position())
    try:
        facts = load_facts(store)
        involved = IndicatorEngine(facts).numerators(Period.calendar_year(2022))["pupils_15_19"]
        row = next(p for p in view_reads.pairs(store) if p["id"] == str(pair_id))
    finally:
        store.close()
    assert involved == {str(region.home): 1}  # one pair, never interrupted
    assert row["mentor_id"] == str(taking) and row["mentees"][0]["ended_on"] is None


def test_the_new_mentor_takes_the_pair_only_within_their_capacity_from_that_date(region):
    full = region.active_mentor(capacity=1)
    region.pair(full, [region.mentee()], started_on=date(2022, 1, 10))
    pair_id = region.pair(region.active_mentor(), [region.mentee()], started_on=date(2021, 10, 1))

    err = region.refuse(transfer(pair_id, full), expect=RuleViolation)

    assert err.rule == "mentor_capacity"


def test_the_leaving_mentors_part_ends_on_the_transfer_day(region):
    """Before the transfer the first mentor led it: their later pair on that day does not collide."""
    leaving = region.active_mentor(capacity=1)
    pair_id = region.pair(leaving, [region.mentee()], started_on=date(2021, 10, 1))
    region.run(transfer(pair_id, region.active_mentor()))

    region.pair(leaving, [region.mentee()], started_on=date(2022, 1, 10))
    region.run(c.CompletePair(pair_id=pair_id, ended_on=date(2022, 5, 20), outcome="Проект защищён"))


@pytest.mark.parametrize("on, rule", [(date(2021, 10, 1), "date_order"), (date(2030, 1, 1), "date_not_in_future")])
def test_a_transfer_is_dated_after_the_current_mentor_began_and_not_in_the_future(region, on, rule):
    pair_id = region.pair(region.active_mentor(), [region.mentee()], started_on=date(2021, 10, 1))

    err = region.refuse(transfer(pair_id, region.active_mentor(), on=on), expect=RuleViolation)

    assert err.rule == rule


def test_an_ended_pair_is_not_transferred_nor_to_its_own_mentor(region):
    mentor_id = region.active_mentor()
    pair_id = region.pair(mentor_id, [region.mentee()], started_on=date(2021, 10, 1))

    same = region.refuse(transfer(pair_id, mentor_id), expect=RuleViolation)
    region.run(c.CompletePair(pair_id=pair_id, ended_on=date(2022, 1, 1), outcome="Проект"))
    ended = region.refuse(transfer(pair_id, region.active_mentor()), expect=RuleViolation)

    assert same.rule == "mentor_changes" and ended.rule == "pair_active"
