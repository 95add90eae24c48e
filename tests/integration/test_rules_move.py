"""A mentee moves to another organization (перевод) on a date: indicators count them in the first
until the move and in the second after; the history shows both; pairs never straddle the move."""

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
from registry.errors import Forbidden, RuleViolation
from registry.mentees import Mentee
from registry.pairs import Pair
from registry.values import PairStatus


@pytest.fixture
def region(registry) -> Region:  # both stores
    return Region(registry)


def move(mentee_id, organization_id, on=date(2022, 1, 10), **more):  # type: ignore[no-untyped-def]
    return c.MoveMentee(mentee_id=mentee_id, organization_id=organization_id, moved_on=on,
                        reason="Приказ о переводе № 12", **more)


def _involved(region: Region, year: int) -> dict[str, int]:
    store = project_until(region.registry, region.registry.position())
    try:
        facts = load_facts(store, [Period.calendar_year(year)])
        return IndicatorEngine(facts).numerators(Period.calendar_year(year))["pupils_10_19"]
    finally:
        store.close()


def test_a_pupil_counts_in_the_first_school_until_the_move_and_in_the_second_after(region):
    other = region.organization("school", name="МБОУ СОШ № 2")
    pupil = region.mentee(birth_date=date(2008, 5, 12))
    first = region.pair(region.active_mentor(), [pupil], started_on=date(2021, 10, 1))
    region.run(c.CompletePair(pair_id=first, ended_on=date(2022, 1, 10), outcome="Проект защищён"))

    region.run(move(pupil, other), curator_of(region.home))
    second = region.pair(region.active_mentor(other), [pupil], organization_id=other, started_on=date(2022, 2, 1))

    assert region.get(Mentee, pupil).organization_id == other
    assert region.get(Mentee, pupil).moves == [(date(2022, 1, 10), str(region.home), str(other))]
    assert region.events(pupil)[-2:] == ["Moved", "EnrolledInPair"]
    assert _involved(region, 2021) == {str(region.home): 1}
    assert _involved(region, 2022) == {str(region.home): 1, str(other): 1}  # each school its own days
    assert region.get(Pair, second).organization_id == other
    store = project_until(region.registry, region.registry.position())
    try:
        assert view_reads.mentees(store, organization_id=other)[0]["id"] == str(pupil)
    finally:
        store.close()


def test_a_pupil_with_a_running_pair_moves_only_when_its_end_is_asked_for(region):
    other = region.organization("school")
    pupil = region.mentee()
    pair_id = region.pair(region.active_mentor(), [pupil], started_on=date(2021, 10, 1))

    err = region.refuse(move(pupil, other), expect=RuleViolation)
    region.run(move(pupil, other, end_pairs=True))

    assert (err.rule, err.field) == ("mentee_has_active_pairs", "moved_on")
    assert f"пара {str(pair_id)[:8]} с 01.10.2021" in err.message
    pair = region.get(Pair, pair_id)
    assert (pair.status, pair.ended_on, pair.end_reason) == (
        PairStatus.DISSOLVED, date(2022, 1, 10), "Приказ о переводе № 12")


def test_pairs_of_the_first_school_entered_late_stay_before_the_move(region):
    other = region.organization("school")
    pupil = region.mentee()
    region.run(move(pupil, other))
    mentor = region.active_mentor()

    before = region.pair(mentor, [pupil], started_on=date(2021, 10, 1))  # history, entered after the move
    straddling = region.refuse(c.CompletePair(pair_id=before, ended_on=date(2022, 3, 1), outcome="Проект"),
                               expect=RuleViolation)
    after = region.refuse(c.FormPair(organization_id=region.home, mentor_id=mentor, mentee_ids=[pupil],
                                     form="employer_pupil", started_on=date(2022, 2, 1)),
                          curator_of(region.home), expect=RuleViolation)
    region.run(c.CompletePair(pair_id=before, ended_on=date(2022, 1, 10), outcome="Проект"))

    assert straddling.rule == after.rule == "mentee_of_pair_organization"


def test_a_move_is_dated_after_registration_not_in_the_future_and_elsewhere(region):
    other = region.organization("school")
    pupil = region.mentee(registered_on=date(2021, 9, 1))

    early = region.refuse(move(pupil, other, on=date(2021, 9, 1)), expect=RuleViolation)
    future = region.refuse(move(pupil, other, on=date(2030, 1, 1)), expect=RuleViolation)
    same = region.refuse(move(pupil, region.home), expect=RuleViolation)
    foreign = region.refuse(move(pupil, other), curator_of(other), expect=Forbidden)

    assert (early.rule, future.rule, same.rule) == ("date_order", "date_not_in_future", "organization_changes")
    assert foreign is not None
