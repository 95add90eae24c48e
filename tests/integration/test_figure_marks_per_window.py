"""The kept figures' marks, written once per transaction, mark what the per-row triggers marked.

The oracle is the triggers this replaced (`figure_marks_reference`), installed on a throwaway
store whose own marks are switched off, applying one event per transaction. The store under test
(SQLite, PostgreSQL) applies the same log in windows of 1, 5 and 64 positions and of the whole
log: each window must mark exactly the union of what the triggers marked for its events —
nothing missed, nothing more. Then a kept figure read before a backlog of writes of every kind
that is caught up in one window equals the figures aggregated afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from support.figure_marks_reference import create_trigger_statements
from support.stores import STORES, fresh_registry
from support.world import ADMIN, person
from support.world.indicators import Ids, build_scenario

from projections import projector as projector_module
from projections import store as store_module
from projections.aggregates import read_figures
from projections.facts import load_facts
from projections.periods import Period
from projections.projector import Projector
from projections.schema import LIVE_PREFIX
from projections.store import memory_view_store, open_view_store
from registry import commands as c
from registry.application import Registry

YEARS = [*(Period.calendar_year(y) for y in range(2019, 2023)),
         *(Period.school_year(y) for y in range(2019, 2022))]


@pytest.fixture(params=STORES)
def registry(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Registry]:
    with fresh_registry(request.param, tmp_path) as registry:
        yield registry


def _later(registry: Registry, ids: Ids) -> None:
    """After the hand scenario: a mentee added, corrected and moved, a pair transferred, a mentor
    suspended and reinstated, an output recorded and retracted, two erasures."""
    k = ids.ids
    moved = registry.execute(c.RegisterMentee(
        organization_id=k["S1"], category="pupil", person=person("Переводимый"), birth_year=2008,
        registered_on=date(2019, 9, 1)), ADMIN).aggregate_id
    for command in (
        c.FormPair(organization_id=k["S1"], mentor_id=k["C"], mentee_ids=[moved], form="pupil_pupil",
                   started_on=date(2021, 3, 1)),
        c.AddMenteeToPair(pair_id=k["P5"], mentee_id=k["t1"], joined_on=date(2021, 10, 1)),
        c.CorrectMentee(mentee_id=k["p3"], category="pupil", person=person("Наставляемый p3"), birth_year=2012,
                        reason="ошибка в годе рождения"),
        c.CorrectMentee(mentee_id=moved, category="pupil", person=person("Переводимый"), birth_year=2009,
                        reason="ошибка"),
        c.MoveMentee(mentee_id=moved, organization_id=k["S2"], moved_on=date(2021, 10, 1),
                     reason="переезд семьи", end_pairs=True),
        c.TransferPair(pair_id=k["P2"], mentor_id=k["C"], transferred_on=date(2021, 4, 1), reason="отпуск"),
        c.SuspendMentor(mentor_id=k["C"], reason="декрет", effective_date=date(2021, 10, 15), end_pairs=True),
        c.ReinstateMentor(mentor_id=k["C"], reason="вышла на работу", effective_date=date(2021, 11, 1)),
        c.RecordProgramOutput(program_id=k["PR2"], kind="event", title="Слёт", produced_on=date(2021, 9, 10),
                              command_id="marks-out-1"),
        c.ErasePersonalData(person_id=k["q2"], reason="заявление № 4"),
        c.ErasePersonalData(person_id=k["B"], reason="заявление № 5"),
    ):
        registry.execute(command, ADMIN)


def _take_marks(store: Any) -> set[str]:
    """The organizations marked stale, then the marks cleared (as a read that kept them would)."""
    with store.transaction(write=True) as tx:
        marked = {str(row[0]) for row in tx.rows("SELECT organization_id FROM {p}figures_stale")}
        tx.execute("DELETE FROM {p}figures_stale")
    return marked


def _marks_by_window(registry: Registry, store: Any, window: int, monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """What each window of `window` positions marked, applying the log from the start."""
    head, marked = registry.position(), []
    with monkeypatch.context() as patch:
        patch.setattr(projector_module, "BACKLOG_WINDOW", window)
        for start in range(0, head, window):
            Projector(registry, store, upto=min(start + window, head), batch_size=window).catch_up()
            marked.append(_take_marks(store))
    assert store.position() == head
    return marked


def _trigger_marks(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """What the old per-row triggers marked for each position, on a throwaway store."""
    reference = memory_view_store()
    try:
        with reference.transaction(write=True) as tx:
            for statement in create_trigger_statements(LIVE_PREFIX, "sqlite"):
                tx.execute(statement)
        with monkeypatch.context() as patch:
            patch.setattr(store_module, "FigureMarks", lambda: None)  # the appliers note nothing
            return _marks_by_window(registry, reference, 1, monkeypatch)
    finally:
        reference.close()


@pytest.mark.parametrize("window", [1, 5, 64, 0], ids=["one-position", "five", "sixty-four", "whole-log"])
def test_each_window_marks_what_the_triggers_marked_for_its_events(
    registry: Registry, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = build_scenario(registry)
    _later(registry, ids)
    expected = _trigger_marks(registry, monkeypatch)
    assert sum(1 for marked in expected if marked) > 40  # the oracle did mark, event after event
    window = window or registry.position()

    store = open_view_store(registry)
    try:
        got = _marks_by_window(registry, store, window, monkeypatch)
    finally:
        store.close()
    wanted = [set().union(*expected[at:at + window]) for at in range(0, len(expected), window)]
    assert got == wanted


def test_a_kept_figure_read_before_a_backlog_equals_the_fresh_figures_after_one_window(
    registry: Registry,
) -> None:
    store = open_view_store(registry)
    try:
        projector = Projector(registry, store)
        ids = build_scenario(registry)
        projector.catch_up()
        load_facts(store, YEARS)  # the years kept, nothing stale

        _later(registry, ids)  # writes of every kind, applied below in one window
        assert projector.catch_up() > 20
        facts = load_facts(store, YEARS)
        with store.transaction(write=False) as tx:
            fresh, forms = read_figures(tx, YEARS)
        for year in YEARS:
            assert facts.figures[year].canonical() == fresh[year].canonical(), year.label
        assert facts.pair_forms == forms
    finally:
        store.close()
