"""Batches: many commands decided in order as one unit of work, recorded in one transaction or not
at all, each event attributed to its own command — on both real stores."""

from __future__ import annotations

from datetime import date

import pytest
from support.world import ADMIN, Region, assert_russian, curator_of, person, profile

from registry import commands as c
from registry.batch import RegistryBatch
from registry.errors import BatchRefused, BatchTooLarge, IdempotencyKeyReused, RuleViolation
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.pairs import Pair


def _application(school, name: str, command_id: str | None = None) -> c.SubmitMentorApplication:
    return c.SubmitMentorApplication(
        organization_id=school, person=person(name), profile=profile(), capacity=2,
        applied_on=date(2021, 9, 1), command_id=command_id,
    )


def _pupil(school, name: str) -> c.RegisterMentee:
    return c.RegisterMentee(organization_id=school, category="pupil", person=person(name, birth_date=date(2008, 5, 12)),
                            registered_on=date(2021, 9, 1))


def test_a_batch_registers_approves_and_pairs_each_event_with_its_own_meta(registry):
    region = Region(registry)
    school = region.home
    curator = curator_of(school)
    before = registry.position()
    batch = registry.batch()
    mentor = batch.execute(_application(school, "Петрова Анна Ивановна"), curator).aggregate_id
    pupil = batch.execute(_pupil(school, "Сидоров Пётр"), curator).aggregate_id
    batch.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10), command_id="ok-1"), ADMIN)
    pair = batch.execute(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[pupil],
                                    form="pupil_pupil", started_on=date(2021, 10, 1)), curator).aggregate_id
    assert registry.position() == before, "nothing is recorded before commit"
    results = batch.commit()

    assert [r.events for r in results] == [1, 1, 2, 3]  # the approval's CommandRecord included
    assert results[-1].position == registry.position()
    assert [r.position for r in results] == sorted(r.position for r in results)
    assert registry.get(Mentor, mentor).status == "active"
    assert registry.get(Pair, pair).mentor_id == mentor
    assert registry.get(Mentee, pupil).id == pupil
    # Every event carries the meta of the command that made it, in the commands' order.
    log = registry.recorder.select_notifications(start=before + 1, limit=100)
    assert len(log) == sum(r.events for r in results)
    by_command = {r.command_id for r in results}
    metas = [e.meta for e in registry.events.get(mentor)]
    assert [m.user_id for m in metas] == [curator.user_id, ADMIN.user_id, curator.user_id]
    assert {m.command_id for m in metas} <= by_command
    assert metas[1].command_id == "ok-1"


def test_two_deliveries_of_one_batch_record_once_and_answer_only_their_sender(registry):
    """Two deliveries decided at once: the second to commit conflicts and answers with the first's
    results — unless it comes from another user, who must not receive them."""
    region = Region(registry)
    school = region.home
    curator = curator_of(school)
    commands = [_application(school, f"Наставник Дважды {i}", command_id=f"twice-{i}") for i in range(2)]
    first, second, stranger = registry.batch(), registry.batch(), registry.batch()
    for command in commands:
        first.execute(command, curator)
        second.execute(command, curator)
        stranger.execute(command, curator_of(school, "another-curator"))
    recorded = first.commit()
    position = registry.position()
    replayed = second.commit()
    assert registry.position() == position
    assert all(r.replayed for r in replayed)
    assert [r.aggregate_id for r in replayed] == [r.aggregate_id for r in recorded]
    with pytest.raises(IdempotencyKeyReused):
        stranger.commit()
    assert registry.position() == position


def test_a_refused_third_command_records_nothing_and_names_its_index(registry):
    region = Region(registry)
    school = region.home
    mentor = region.applied_mentor(school)
    before = registry.position()
    commands = [
        c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10)),
        _application(school, "Волкова Ольга"),
        c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 11)),  # approved by the first
    ]
    with pytest.raises(BatchRefused) as caught:
        registry.execute_batch(commands, ADMIN)
    assert caught.value.index == 2
    assert isinstance(caught.value.error, RuleViolation)
    assert caught.value.code == caught.value.error.code
    assert_russian(caught.value.message)
    assert registry.position() == before
    # The cache holds nothing of the refused batch: the mentor is still pending, and approvable.
    assert registry.get(Mentor, mentor).status != "active"
    region.run(c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10)))
    assert registry.get(Mentor, mentor).status == "active"


def test_a_batch_replays_with_its_command_ids(registry):
    region = Region(registry)
    school = region.home
    commands = [_application(school, f"Наставник Пакетный {i}", command_id=f"batch-{i}") for i in range(3)]
    first = registry.execute_batch(commands, ADMIN)
    position = registry.position()
    again = registry.execute_batch(commands, ADMIN)
    assert registry.position() == position
    assert all(r.replayed and r.events == 0 for r in again)
    assert [r.aggregate_id for r in again] == [r.aggregate_id for r in first]
    # The same id twice in one batch: the second is the first's replay.
    twice = registry.execute_batch([commands[0].model_copy(update={"command_id": "x"})] * 2, ADMIN)
    assert twice[1].replayed and twice[1].aggregate_id == twice[0].aggregate_id
    with pytest.raises(BatchRefused) as caught:
        registry.execute_batch([_application(school, "Другой", command_id="batch-0")], ADMIN)
    assert caught.value.code == "idempotency_key_reused"


def test_a_batch_equals_the_same_commands_one_by_one(open_store):
    # Both runs share one store (open_store reopens it): compare what each run adds.
    states = []
    for batched in (False, True):
        registry = open_store()
        region = Region(registry)
        school = region.home
        mentors = [region.applied_mentor(school, full_name=f"Наставник {i}") for i in range(3)]
        pupils = [region.mentee(school) for _ in range(3)]
        commands: list[c.Command] = [c.ApproveMentor(mentor_id=m, effective_date=date(2021, 9, 10)) for m in mentors]
        commands += [
            c.FormPair(organization_id=school, mentor_id=m, mentee_ids=[p], form="pupil_pupil",
                       started_on=date(2021, 10, 1))
            for m, p in zip(mentors, pupils, strict=True)
        ]
        commands.append(c.UpdateMentorProfile(mentor_id=mentors[0], person=person("Наставник 0"),
                                              profile=profile(), capacity=3))
        start = registry.position()
        if batched:
            results = registry.execute_batch(commands, ADMIN)
        else:
            results = [registry.execute(command, ADMIN) for command in commands]
        pairs = [r.aggregate_id for r in results[3:6]]
        states.append((
            [r.events for r in results],
            [r.version for r in results],
            [(m.status, m.capacity, m.version) for m in (registry.get(Mentor, i) for i in mentors)],
            [[type(e).__name__ for e in registry.history(i)] for i in mentors + pupils + pairs],
            registry.position() - start,
        ))
        registry.close()
    assert states[0] == states[1]


def test_a_batch_beyond_its_limit_is_refused_whole(registry):
    region = Region(registry)
    school = region.home
    before = registry.position()
    batch = RegistryBatch(registry, max_events=2)
    batch.execute(_pupil(school, "Первый Ученик"), ADMIN)
    batch.execute(_pupil(school, "Второй Ученик"), ADMIN)
    with pytest.raises(BatchTooLarge):
        batch.execute(_pupil(school, "Третий Ученик"), ADMIN)
    with pytest.raises(RuntimeError):
        batch.commit()
    assert registry.position() == before


def test_a_rehearsal_undoes_a_refused_row_goes_on_and_records_nothing(registry):
    """An import's dry run: rows decided in order on the registry as it is; a refused row leaves
    nothing behind for the rows after it, and nothing at all is recorded."""
    region = Region(registry)
    school = region.home
    curator = curator_of(school)
    mentor = region.applied_mentor(school)
    pupil = region.mentee(school)
    before = registry.position()
    rehearsal = RegistryBatch(registry, rehearsal=True)

    rehearsal.mark()  # row 1: approved, then a pair with a mentee that is not there: refused whole
    rehearsal.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10)), ADMIN)
    with pytest.raises(RuleViolation):
        rehearsal.execute(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[pupil, pupil],
                                     form="pupil_pupil", started_on=date(2021, 9, 5)), curator)
    rehearsal.undo()
    rehearsal.mark()  # row 2: a pair needs an approved mentor, and row 1's approval was undone
    with pytest.raises(RuleViolation):
        rehearsal.execute(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[pupil],
                                     form="pupil_pupil", started_on=date(2021, 10, 1)), curator)
    rehearsal.undo()
    rehearsal.mark()  # row 3: approved, paired
    rehearsal.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10)), ADMIN)
    rehearsal.execute(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[pupil],
                                 form="pupil_pupil", started_on=date(2021, 10, 1)), curator)
    assert (rehearsal.commands, rehearsal.events) == (2, 1 + 3)  # approval; pair formed, both joined
    with pytest.raises(RuntimeError):
        rehearsal.commit()

    assert registry.position() == before
    assert registry.get(Mentor, mentor).status == "pending"
    # Nor did the rehearsal leave its decisions in the batches' cache.
    registry.execute_batch([c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10))], ADMIN)
    assert registry.get(Mentor, mentor).version == 2


def test_a_rehearsal_undoes_a_row_back_to_what_the_rows_before_it_decided(registry):
    region = Region(registry)
    school = region.home
    mentor, pupil = region.applied_mentor(school), region.mentee(school)
    rehearsal = RegistryBatch(registry, rehearsal=True)
    rehearsal.mark()  # row 1, accepted: the mentor approved
    rehearsal.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 10)), ADMIN)
    rehearsal.mark()  # row 2, refused: suspended, then a second approval refused
    rehearsal.execute(c.SuspendMentor(mentor_id=mentor, reason="Отпуск", effective_date=date(2021, 9, 20)), ADMIN)
    with pytest.raises(RuleViolation):
        rehearsal.execute(c.ApproveMentor(mentor_id=mentor, effective_date=date(2021, 9, 21)), ADMIN)
    rehearsal.undo()
    rehearsal.mark()  # row 3: pairs need an active mentor — approved by row 1, not suspended by row 2
    rehearsal.execute(c.FormPair(organization_id=school, mentor_id=mentor, mentee_ids=[pupil],
                                 form="pupil_pupil", started_on=date(2021, 10, 1)), curator_of(school))
    assert rehearsal.commands == 2
