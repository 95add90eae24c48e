"""Property: whatever sequence of commands users send (valid or not, by the right actor or not),
the states the registry reached are exactly the states its stored events rebuild.

Each example runs its commands on a fresh SQLite file, then opens a NEW Registry on that file
(no cache, nothing shared but the store) and compares every aggregate in the log.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.world import ADMIN, TODAY, Region, curator_of, person, profile

from ops.storage import open_registry
from registry import commands as c
from registry.errors import RegistryError

FORMS = ["pupil_pupil", "student_pupil", "teacher_teacher"]
CATEGORIES = ["pupil", "college_student", "young_teacher", "teacher"]
CHECKLIST = ["curator_appointed", "roadmap_adopted", "website_section"]

# Pairs are where several aggregates change in one command, so they come up more often.
KINDS = [
    "apply", "approve", "reject", "suspend", "remove", "reinstate", "profile", "consent", "withdraw",
    "train", "correct_training", "mentee", "correct_mentee", "contingent", "correct_contingent",
    "checklist", "reopen", "target", "program", "output", "retract", "add_form", "retire_form", "close",
    *["pair"] * 5, *["add"] * 2, *["complete", "dissolve"] * 2, "correct_start",
    "erase",  # a person's personal data erased: their old events then replay without them
    *["repeat"] * 2,  # send the previous command again, as a client retrying after a timeout
]

# Dates mostly in the region's past, some after `today` (2023-06-01) so date rules refuse a few.
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2023, 8, 31))
steps = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 7),  # which mentor / pair / organization ...
    st.integers(0, 7),  # which mentee / a number
    days,
    # who sends it: the institute, the curator of the organization concerned, or another's curator
    st.sampled_from(["admin", "admin", "own curator", "own curator", "other curator"]),
    st.sampled_from([None] * 6 + ["id-1", "id-2"]),  # client command ids, sometimes reused
)


class World:
    """The ids a sequence of commands can point at; grows as commands create things."""

    def __init__(self, region: Region) -> None:
        self.region = region
        region.region_unit("27")  # registered, so the region's targets are recorded
        self.schools = [region.home, region.organization("school"), region.organization("college")]
        self.org_of = {school: school for school in self.schools}
        self.mentors = [
            region.active_mentor(self.schools[0], capacity=2),
            region.active_mentor(self.schools[1]),
            region.applied_mentor(self.schools[0]),
        ]
        self.mentees = [region.mentee(school) for school in self.schools for _ in range(2)]
        self.pairs = [region.pair(self.mentors[0], [self.mentees[0]])]
        self.programs = [region.program(self.schools[0])]
        self.org_of.update({m: self.schools[0 if k != 1 else 1] for k, m in enumerate(self.mentors)})
        self.org_of.update({m: self.schools[k // 2] for k, m in enumerate(self.mentees)})
        self.org_of.update({self.pairs[0]: self.schools[0], self.programs[0]: self.schools[0]})
        self.trainings: list[str] = []
        self.outputs: list[str] = []

    def actor(self, who: str, command: c.Command):
        if who == "admin":
            return ADMIN
        ids = [v for v in vars(command).values() if isinstance(v, UUID)] + list(getattr(command, "mentee_ids", []))
        concerned = next((self.org_of[v] for v in ids if v in self.org_of), self.schools[0])
        if who == "other curator":
            concerned = next(s for s in self.schools if s != concerned)
        return curator_of(concerned)

    @staticmethod
    def pick(pool: list, i: int):
        return pool[i % len(pool)] if pool else None

    def command(self, kind: str, i: int, j: int, day: date, cid: str | None) -> c.Command | None:
        mentor, mentee, pair = self.pick(self.mentors, i), self.pick(self.mentees, j), self.pick(self.pairs, i)
        school, program = self.pick(self.schools, i), self.pick(self.programs, i)
        reason = "Причина" if j % 5 else "Иная причина"
        match kind:
            case "apply":
                return c.SubmitMentorApplication(
                    organization_id=school, person=person(f"Наставник {i}{j}"), profile=profile(forms=[FORMS[j % 3]]),
                    capacity=(j % 3) or None, applied_on=day, command_id=cid,
                )
            case "approve":
                return c.ApproveMentor(mentor_id=mentor, effective_date=day, command_id=cid)
            case "reject":
                return c.RejectMentor(mentor_id=mentor, reason=reason, command_id=cid)
            case "suspend":
                return c.SuspendMentor(mentor_id=mentor, reason=reason, effective_date=day, command_id=cid)
            case "remove":
                return c.RemoveMentor(mentor_id=mentor, reason=reason, effective_date=day, command_id=cid)
            case "reinstate":
                return c.ReinstateMentor(mentor_id=mentor, reason=reason, effective_date=day, command_id=cid)
            case "profile":
                return c.UpdateMentorProfile(
                    mentor_id=mentor, person=person(f"Наставник {j}", birth_date=date(1980 + j, 1, 1)),
                    profile=profile(forms=FORMS[: 1 + j % 3]), capacity=(j % 4) or None, command_id=cid,
                )
            case "consent":
                return c.GiveConsent(mentor_id=mentor, fields=["name", "forms", "training", "email"][: 1 + j % 4], effective_date=day, command_id=cid)
            case "withdraw":
                return c.WithdrawConsent(mentor_id=mentor, effective_date=day, command_id=cid)
            case "erase":
                return c.ErasePersonalData(person_id=mentor if j % 2 else mentee, reason=reason, command_id=cid)
            case "train":
                return c.RecordTraining(mentor_id=mentor, course="Курс", provider="ИРО", hours=j or None, completed_on=day, command_id=cid)
            case "correct_training":
                training = self.pick(self.trainings, j) or "no-such-training"
                return c.CorrectTraining(
                    mentor_id=mentor, training_id=training, course="Курс", provider="ИРО", hours=j + 1, completed_on=day, reason=reason, command_id=cid
                )
            case "mentee":
                return c.RegisterMentee(
                    organization_id=school, category=CATEGORIES[j % 4], person=person(f"Ученик {i}{j}", birth_date=day if j % 2 else None),
                    birth_year=2005 + j if j % 3 else None, work_started_on=day if j % 4 == 2 else None, registered_on=day, command_id=cid,
                )
            case "correct_mentee":
                return c.CorrectMentee(
                    mentee_id=mentee, category=CATEGORIES[i % 4], person=person("Исправленное Имя"), birth_year=2006 + i,
                    work_started_on=day if i % 2 else None, reason=reason, command_id=cid,
                )
            case "pair":
                group = [mentee] + ([self.pick(self.mentees, j + 1)] if j % 3 == 0 else [])
                return c.FormPair(
                    organization_id=self.org_of[mentee] if j % 4 else school, mentor_id=mentor, mentee_ids=group, form=FORMS[(i * j) % 2],
                    program_id=program if j % 2 and self.org_of[program] == self.org_of[mentee] else None,
                    started_on=day, command_id=cid,
                )
            case "add":
                return pair and c.AddMenteeToPair(pair_id=pair, mentee_id=mentee, joined_on=day, command_id=cid)
            case "complete":
                return pair and c.CompletePair(pair_id=pair, ended_on=day, outcome="Итог", command_id=cid)
            case "dissolve":
                return pair and c.DissolvePair(pair_id=pair, ended_on=day, reason=reason, command_id=cid)
            case "correct_start":
                return pair and c.CorrectPairStart(pair_id=pair, started_on=day, reason=reason, command_id=cid)
            case "contingent" | "correct_contingent":
                figures = c.ContingentIn(students_total=100 * j, students_10_19=60 * i, teachers_total=10, young_teachers=j)
                if kind == "contingent":
                    return c.ReportContingent(organization_id=school, year=2019 + j % 6, figures=figures, command_id=cid)
                return c.CorrectContingent(organization_id=school, year=2019 + j % 6, figures=figures, reason=reason, command_id=cid)
            case "checklist":
                document = c.DocumentIn(number=f"{j}-о" if j % 3 else None, issued_on=day)
                return c.CompleteChecklistItem(organization_id=school, item=CHECKLIST[j % 3], document=document, completed_on=day, command_id=cid)
            case "reopen":
                return c.ReopenChecklistItem(organization_id=school, item=CHECKLIST[j % 3], reason=reason, command_id=cid)
            case "target":
                return c.SetTarget(
                    indicator="pupils_10_19", unit_kind="region", unit_id="27", year=2021 + i % 4,
                    share_percent=Decimal(j * 14) / 4, reason=reason if j % 2 else None, command_id=cid,
                )
            case "program":
                return c.AdoptProgram(organization_id=school, title="Программа", forms=FORMS[: 1 + j % 3], starts_on=day, command_id=cid)
            case "output":
                return program and c.RecordProgramOutput(
                    program_id=program, kind="project", title="Проект", produced_on=day, pair_id=pair if j % 2 else None, command_id=cid
                )
            case "retract":
                return program and c.RetractProgramOutput(
                    program_id=program, output_id=self.pick(self.outputs, j) or "no-such-output", reason=reason, command_id=cid
                )
            case "add_form":
                return c.AddReferenceEntry(list_kind="mentoring_form", code=f"form_{j}", title=f"форма {j}", command_id=cid)
            case "retire_form":
                return c.RetireReferenceEntry(list_kind="mentoring_form", code=FORMS[j % 3], reason=reason, command_id=cid)
            case "close":
                return c.CloseOrganization(organization_id=self.schools[2], effective_date=day, reason=reason, command_id=cid)
        raise AssertionError(kind)

    def remember(self, command: c.Command, result) -> None:
        created = {
            c.SubmitMentorApplication: self.mentors,
            c.RegisterMentee: self.mentees,
            c.FormPair: self.pairs,
            c.AdoptProgram: self.programs,
        }
        if type(command) in created and result.aggregate_id not in created[type(command)]:
            created[type(command)].append(result.aggregate_id)
            self.org_of[result.aggregate_id] = command.organization_id
        if isinstance(command, c.RecordTraining):
            mentor = self.region.registry.repository.get(command.mentor_id)
            self.trainings.extend(t for t in mentor.trainings if t not in self.trainings)
        if isinstance(command, c.RecordProgramOutput):
            program = self.region.registry.repository.get(command.program_id)
            self.outputs.extend(o for o in program.outputs if o not in self.outputs)


def every_aggregate_id(registry) -> set:
    ids, position = set(), 0
    while batch := registry.recorder.select_notifications(start=position + 1, limit=500):
        ids.update(n.originator_id for n in batch)
        position = batch[-1].id
    return ids


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=st.lists(steps, min_size=10, max_size=40))
def test_any_sequence_of_commands_replays_from_the_store_to_the_same_states(sequence):
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'reestr.sqlite3'}"
        first = open_registry(url, clock=lambda: TODAY)
        try:
            world = World(Region(first))
            outcomes = []
            command = None
            for kind, i, j, day, who, cid in sequence:
                if kind != "repeat":
                    try:
                        command = world.command(kind, i, j, day, cid)
                    except ValueError:  # the generated input does not even validate as a command
                        continue
                if command is None:
                    continue
                actor = world.actor(who, command)
                before = first.position()
                try:
                    result = first.execute(command, actor)
                except RegistryError:
                    assert first.position() == before, f"{kind} was refused but recorded events"
                    outcomes.append("refused")
                    continue
                assert result.position == first.position()
                outcomes.append("replayed" if result.replayed else "accepted")
                world.remember(command, result)

            # --hypothesis-show-statistics shows how much of the generated work was accepted
            event(f"{min(outcomes.count('accepted'), 10) // 5 * 5}+ commands accepted")
            event(f"{min(outcomes.count('refused'), 10) // 5 * 5}+ commands refused")
            second = open_registry(url, clock=lambda: TODAY)
            try:
                assert second.position() == first.position()
                ids = every_aggregate_id(first)
                assert ids == every_aggregate_id(second)
                for aggregate_id in ids:
                    assert second.repository.get(aggregate_id) == first.repository.get(aggregate_id)
            finally:
                second.close()
        finally:
            first.close()
