"""Kept year figures equal the figures aggregated afresh, after every kind of write, on both stores.

A report's years are kept per organization (`projections.kept_figures`); a write marks the
organizations whose rows it changed, and the next read aggregates only those again. The oracle
is `read_figures` over the whole region in a fresh snapshot. The scenario is the hand one of the
indicators (pairs formed, corrected, completed, dissolved; mentors approved, trained, removed;
programs and outputs recorded and retracted), then a mentee added to a pair, a mentee corrected and moved, a pair
transferred, a mentor suspended and reinstated, a training corrected, and two erasures — the
figures are compared after each command.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from support.stores import STORES, fresh_registry
from support.world import ADMIN, person
from support.world.indicators import build_scenario

from projections import kept_figures
from projections.aggregates import read_figures
from projections.facts import load_facts
from projections.kept_figures import keep, read_kept_figures
from projections.periods import Period
from projections.projector import Projector, rebuild
from projections.report_cache import facts_at_head
from projections.store import LIVE_TRACKING, open_view_store
from registry import commands as c

YEARS = [
    *(Period.calendar_year(y) for y in range(2019, 2023)),
    *(Period.school_year(y) for y in range(2019, 2022)),
]
DAYS = [Period.day(date(2020, 12, 31)), Period.day(date(2021, 6, 1))]
@pytest.fixture(params=STORES)
def world(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[tuple[Any, Any]]:
    with fresh_registry(request.param, tmp_path) as registry:
        store = open_view_store(registry)
        try:
            yield registry, store
        finally:
            store.close()


@pytest.fixture
def scenario(world: tuple[Any, Any]) -> tuple[Any, Any, Projector, Any]:
    """The hand scenario recorded, the views caught up: (registry, store, projector, ids)."""
    registry, store = world
    projector = Projector(registry, store)
    ids = build_scenario(registry)
    projector.catch_up()
    return registry, store, projector, ids


def _afresh(store: Any, periods: list[Period]) -> tuple[dict[Period, Any], frozenset[str]]:
    with store.transaction(write=False) as tx:
        return read_figures(tx, periods)


def _kept(store: Any) -> tuple[set[tuple[str, str]], set[str]]:
    """(kept years, organizations marked stale) as the store holds them."""
    with store.transaction(write=False) as tx:
        years = {(str(a), str(b)) for a, b in tx.rows("SELECT period_start, period_end FROM {p}figures_periods")}
        stale = {str(row[0]) for row in tx.rows("SELECT organization_id FROM {p}figures_stale")}
    return years, stale


def _unkept(store: Any) -> Any:
    """What a read of the years at the views' position would store for the next reader."""
    with store.transaction(write=False) as tx:
        return read_kept_figures(tx, YEARS, store.read_position(tx, LIVE_TRACKING))[2]


def _assert_same(store: Any, periods: list[Period], step: str) -> None:
    facts = load_facts(store, periods)
    expected, forms = _afresh(store, periods)
    for period in periods:
        assert facts.figures[period].canonical() == expected[period].canonical(), (step, period.label)
    assert facts.pair_forms == forms, step


@pytest.mark.parametrize("most_stale", [50, 0], ids=["stale-organizations-only", "whole-years-again"])
def test_kept_years_equal_fresh_figures_after_every_write(
    world: tuple[Any, Any], most_stale: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept_figures, "MOST_STALE", most_stale)
    registry, store = world
    projector = Projector(registry, store)
    steps = iter(range(10_000))

    def check() -> None:
        projector.catch_up()
        _assert_same(store, YEARS + DAYS, f"command {next(steps)}")

    ids = build_scenario(registry, after=check)
    years, stale = _kept(store)
    assert years == {(p.start.isoformat(), p.end.isoformat()) for p in YEARS}
    assert stale == set()

    k = ids.ids
    moved = registry.execute(c.RegisterMentee(
        organization_id=k["S1"], category="pupil", person=person("Переводимый"), birth_year=2008,
        registered_on=date(2019, 9, 1)), ADMIN).aggregate_id
    later = [
        c.FormPair(organization_id=k["S1"], mentor_id=k["C"], mentee_ids=[moved], form="pupil_pupil",
                   started_on=date(2021, 3, 1)),
        c.AddMenteeToPair(pair_id=k["P5"], mentee_id=k["t1"], joined_on=date(2021, 10, 1)),
        c.CorrectMentee(mentee_id=k["p3"], category="pupil", person=person("Наставляемый p3"), birth_year=2012,
                        reason="ошибка в годе рождения"),
        c.MoveMentee(mentee_id=moved, organization_id=k["S2"], moved_on=date(2021, 10, 1),
                     reason="переезд семьи", end_pairs=True),
        c.TransferPair(pair_id=k["P2"], mentor_id=k["C"], transferred_on=date(2021, 4, 1), reason="отпуск"),
        c.SuspendMentor(mentor_id=k["C"], reason="декрет", effective_date=date(2021, 10, 15), end_pairs=True),
        c.ReinstateMentor(mentor_id=k["C"], reason="вышла на работу", effective_date=date(2021, 11, 1)),
        c.ErasePersonalData(person_id=k["q2"], reason="заявление № 4"),
        c.ErasePersonalData(person_id=k["B"], reason="заявление № 5"),
    ]
    for command in later:
        registry.execute(command, ADMIN)
        check()


def test_a_read_aggregates_again_only_what_a_write_touched(scenario: tuple[Any, Any, Projector, Any]) -> None:
    registry, store, projector, ids = scenario
    load_facts(store, YEARS)
    assert _unkept(store) is None  # nothing to aggregate: every year kept, nothing stale

    registry.execute(c.RecordProgramOutput(program_id=ids["PR2"], kind="event", title="Слёт",
                                           produced_on=date(2021, 9, 10), command_id="out-9"), ADMIN)
    projector.catch_up()
    assert _kept(store)[1] == {str(ids["S2"])}
    unkept = _unkept(store)
    assert unkept is not None and unkept.stale == [str(ids["S2"])] and not unkept.new
    assert {org for rows in unkept.rows.values() for org in rows} == {str(ids["S2"])}


def test_what_a_read_aggregated_is_not_kept_once_the_views_moved_on(scenario: tuple[Any, Any, Projector, Any]) -> None:
    registry, store, projector, ids = scenario
    unkept = _unkept(store)
    assert unkept is not None and len(unkept.new) == len(YEARS)

    registry.execute(c.CompletePair(pair_id=ids["P7"], ended_on=date(2022, 1, 31), outcome="проект"), ADMIN)
    projector.catch_up()
    keep(store, unkept)  # read before the write: its figures would be of an older position
    assert _kept(store)[0] == set()
    _assert_same(store, YEARS, "after the late keep")
    assert len(_kept(store)[0]) == len(YEARS)


def _keys(periods: list[Period]) -> set[tuple[str, str]]:
    return {(p.start.isoformat(), p.end.isoformat()) for p in periods}


def test_a_rebuild_keeps_the_years_kept_before_and_those_with_contingents_and_marks_writes_after_it(
    scenario: tuple[Any, Any, Projector, Any],
) -> None:
    registry, store, projector, ids = scenario
    asked_before = Period.calendar_year(2017)  # no contingent that year: kept only because it was asked for
    load_facts(store, [*YEARS, asked_before])
    assert _kept(store)[0]

    rebuild(registry, store)
    with_contingents = [Period.calendar_year(2020), Period.school_year(2020),
                        Period.calendar_year(2021), Period.school_year(2021)]  # the scenario's contingents
    assert _kept(store) == (_keys([*YEARS, asked_before, *with_contingents]), set())
    assert _unkept(store) is None  # the first report after the rebuild aggregates nothing
    _assert_same(store, [*YEARS, asked_before], "after the rebuild")
    registry.execute(c.DissolvePair(pair_id=ids["P2"], ended_on=date(2021, 12, 1), reason="переезд"), ADMIN)
    projector.catch_up()
    assert _kept(store)[1] == {str(ids["S1"])}  # the swapped-in tables are marked
    _assert_same(store, YEARS, "after a write on the rebuilt views")


def test_a_start_pages_year_is_read_once_with_its_report_years_until_the_views_move(
    scenario: tuple[Any, Any, Projector, Any],
) -> None:
    registry, store, projector, ids = scenario
    before, year = Period.calendar_year(2020), Period.calendar_year(2021)
    both = facts_at_head(store, [before, year])
    assert facts_at_head(store, [year]) is both  # the report's facts hold the cards' year
    assert facts_at_head(store, [Period.calendar_year(2022)]) is not both

    registry.execute(c.RecordProgramOutput(program_id=ids["PR2"], kind="event", title="Слёт",
                                           produced_on=date(2021, 9, 10), command_id="out-10"), ADMIN)
    projector.catch_up()
    after = facts_at_head(store, [year])
    assert after is not both and after.position > both.position
    assert after.period(year).outputs[str(ids["S2"])] == both.period(year).outputs[str(ids["S2"])] + 1
    assert after.period(year).canonical() == _afresh(store, [year])[0][year].canonical()
