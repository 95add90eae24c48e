"""Two writers on one aggregate, on PostgreSQL: one wins, the other is told of the conflict,
and the log holds exactly the winner's events — nothing lost, nothing doubled.

Each writer is its own Registry object (its own connection pool and cache), as two server
processes would be. To make the race certain rather than likely, a gate holds each writer at
the moment it is about to record, after it has loaded and decided, until both have decided;
then both write for real, to the real store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from support.stores import POSTGRES_URL
from support.world import ADMIN, TODAY, Region, assert_russian, curator_of

from ops.storage import open_registry
from registry import commands as c
from registry.application import CommandResult, Registry
from registry.errors import Conflict, RuleViolation
from registry.mentees import Mentee
from registry.mentors import Mentor

pytestmark = pytest.mark.postgres


@pytest.fixture
def open_writer(postgres_schema: str) -> Iterator[Callable[[], Registry]]:
    """Open registries on one PostgreSQL schema; each is a separate writer."""
    opened: list[Registry] = []

    def _open() -> Registry:
        registry = open_registry(POSTGRES_URL, postgres_schema, clock=lambda: TODAY)
        opened.append(registry)
        return registry

    yield _open
    for registry in opened:
        registry.close()


def gate(*writers: Registry) -> None:
    """Make every writer wait, just before recording, until all of them have decided."""
    barrier = threading.Barrier(len(writers), timeout=30)
    for writer in writers:
        record = writer.save

        def gated_save(*aggregates: Any, _record: Any = record, **kwargs: Any) -> Any:
            barrier.wait()
            return _record(*aggregates, **kwargs)

        writer.save = gated_save  # type: ignore[method-assign]


def race(*attempts: tuple[Registry, c.Command, Any]) -> list[CommandResult | Exception]:
    """Send each command through its own writer, all at once; return each outcome."""

    def attempt(writer: Registry, command: c.Command, actor: Any) -> CommandResult | Exception:
        try:
            return writer.execute(command, actor)
        except Exception as error:  # the outcome under test, examined by the caller
            return error

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(lambda a: attempt(*a), attempts))


def topics_since(registry: Registry, position: int) -> list[str]:
    return [n.topic for n in registry.recorder.select_notifications(start=position + 1, limit=1000)]


def test_approve_and_reject_at_once_one_wins_the_other_is_told(open_writer):
    setup = open_writer()
    mentor_id = Region(setup).applied_mentor()
    first, second = open_writer(), open_writer()
    gate(first, second)
    start = setup.position()

    outcomes = race(
        (first, c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15)), ADMIN),
        (second, c.RejectMentor(mentor_id=mentor_id, reason="Нет педагогического стажа"), ADMIN),
    )

    won = [o for o in outcomes if isinstance(o, CommandResult)]
    lost = [o for o in outcomes if isinstance(o, Exception)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], Conflict) and lost[0].code == "conflict"
    assert_russian(lost[0].message)
    winner = "Approved" if isinstance(outcomes[0], CommandResult) else "Rejected"

    auditor = open_writer()
    assert [type(e).__name__ for e in auditor.history(mentor_id)] == ["Applied", winner]
    assert topics_since(auditor, start) == [f"reestr:Mentor.{winner}"]
    assert auditor.get(Mentor, mentor_id).status == ("active" if winner == "Approved" else "rejected")


def test_the_loser_sees_the_winners_decision_when_it_tries_again(open_writer):
    setup = open_writer()
    mentor_id = Region(setup).applied_mentor()
    first, second = open_writer(), open_writer()
    gate(first, second)
    approve = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15))
    reject = c.RejectMentor(mentor_id=mentor_id, reason="Нет стажа")

    outcomes = race((first, approve, ADMIN), (second, reject, ADMIN))
    loser, command = (second, reject) if isinstance(outcomes[0], CommandResult) else (first, approve)
    del loser.save  # the gate is for the race only

    with pytest.raises(RuleViolation) as err:
        loser.execute(command, ADMIN)

    assert err.value.rule == "mentor_status"  # an honest refusal, never a silent overwrite
    assert len(list(loser.history(mentor_id))) == 2


def test_two_pairs_for_the_last_place_one_is_formed_the_other_recorded_nowhere(open_writer):
    setup = open_writer()
    region = Region(setup)
    mentor_id = region.active_mentor(capacity=1)
    anna, boris = region.mentee(), region.mentee()
    curator = curator_of(region.home)
    first, second = open_writer(), open_writer()
    gate(first, second)
    start = setup.position()

    def pair_for(mentee_id):
        return c.FormPair(organization_id=region.home, mentor_id=mentor_id, mentee_ids=[mentee_id], form="pupil_pupil", started_on=date(2022, 9, 1))

    outcomes = race((first, pair_for(anna), curator), (second, pair_for(boris), curator))

    assert sorted(type(o).__name__ for o in outcomes) == ["CommandResult", "Conflict"]
    formed_for, left_out = (anna, boris) if isinstance(outcomes[0], CommandResult) else (boris, anna)
    pair_id = next(o for o in outcomes if isinstance(o, CommandResult)).aggregate_id

    auditor = open_writer()
    assert sorted(topics_since(auditor, start)) == sorted(
        ["reestr:Pair.Formed", "reestr:Mentor.MenteesTaken", "reestr:Mentee.EnrolledInPair"]
    )
    assert auditor.get(Mentor, mentor_id).active_pairs == {str(pair_id): [str(formed_for)]}
    assert auditor.get(Mentee, formed_for).active_pairs == {str(pair_id): "pupil_pupil"}
    assert [type(e).__name__ for e in auditor.history(left_out)] == ["Registered"]

    # Told of the conflict, the curator tries again and now hears the real reason.
    with pytest.raises(RuleViolation) as err:
        auditor.execute(pair_for(left_out), curator)
    assert err.value.rule == "mentor_capacity"


def test_compatible_decisions_both_land_after_the_loser_retries(open_writer):
    """Consent and a training on one mentor at once: one conflicts, its retry succeeds,
    and the history holds both facts."""
    setup = open_writer()
    mentor_id = Region(setup).active_mentor()
    first, second = open_writer(), open_writer()
    gate(first, second)
    consent = c.GiveConsent(mentor_id=mentor_id, fields=["name", "training"], effective_date=date(2022, 5, 1))
    training = c.RecordTraining(mentor_id=mentor_id, course="Наставничество", provider="ХК ИРО", hours=36, completed_on=date(2022, 4, 20), command_id="cert-9")

    outcomes = race((first, consent, ADMIN), (second, training, ADMIN))
    assert sorted(type(o).__name__ for o in outcomes) == ["CommandResult", "Conflict"]
    loser, command = (second, training) if isinstance(outcomes[0], CommandResult) else (first, consent)
    del loser.save
    loser.execute(command, ADMIN)

    mentor = open_writer().get(Mentor, mentor_id)
    assert mentor.consented_fields == ["name", "training"]
    assert list(mentor.trainings) == ["cert-9"]
    assert mentor.version == 4


def test_one_command_delivered_twice_at_once_is_recorded_once(open_writer):
    """A client retries while its first request is still in flight, through another server."""
    setup = open_writer()
    mentor_id = Region(setup).applied_mentor()
    first, second = open_writer(), open_writer()
    gate(first, second)
    command = c.ApproveMentor(mentor_id=mentor_id, effective_date=date(2021, 9, 15), command_id="approve-once")

    outcomes = race((first, command, ADMIN), (second, command, ADMIN))

    assert all(isinstance(o, CommandResult) for o in outcomes), outcomes
    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert len({(o.aggregate_id, o.version) for o in outcomes}) == 1
    assert [type(e).__name__ for e in open_writer().history(mentor_id)] == ["Applied", "Approved"]


def test_many_writers_retrying_on_conflict_lose_nothing(open_writer):
    """Four writers each record trainings on one mentor, retrying whenever told of a conflict:
    every training is recorded exactly once and the versions have no gap."""
    setup = open_writer()
    mentor_id = Region(setup).active_mentor()
    writers = [open_writer() for _ in range(4)]
    conflicts = []

    def record_all(n: int, writer: Registry) -> None:
        for k in range(5):
            command = c.RecordTraining(
                mentor_id=mentor_id, course=f"Модуль {k}", provider="ХК ИРО", completed_on=date(2022, 4, 20), command_id=f"w{n}-m{k}"
            )
            for _ in range(100):
                try:
                    writer.execute(command, ADMIN)
                    break
                except Conflict:
                    conflicts.append(command.command_id)
            else:
                raise AssertionError(f"{command.command_id} never got through")

    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        for future in [pool.submit(record_all, n, w) for n, w in enumerate(writers)]:
            future.result()

    auditor = open_writer()
    mentor = auditor.get(Mentor, mentor_id)
    assert sorted(mentor.trainings) == sorted(f"w{n}-m{k}" for n in range(4) for k in range(5))
    versions = [e.originator_version for e in auditor.history(mentor_id)]
    assert versions == list(range(1, 2 + 20 + 1))
