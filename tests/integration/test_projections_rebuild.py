"""Rebuild equals incremental: random command sequences, projected after every command in small
batches, give exactly the views a rebuild from position 0 gives, on SQLite and PostgreSQL; and a
throwaway store projected up to a position equals the live views as they were at that position."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.stores import fresh_registry
from support.world import ADMIN

from projections.projector import Projector, rebuild
from projections.store import memory_view_store, open_view_store
from registry import commands as c
from registry.errors import RegistryError

BASE = date(2019, 1, 1)
FORMS = ["pupil_pupil", "teacher_teacher", "student_pupil"]
CATEGORIES = ["pupil", "college_student", "young_teacher", "teacher"]
ITEMS = ["curator_appointed", "roadmap_adopted", "website_section"]
INDICATORS = ["pupils_10_19", "young_teachers", "extra_ed"]

KINDS = [
    "municipality", "organization", "contingent", "correct_contingent", "mentor", "approve",
    "reject", "suspend", "remove", "reinstate", "training", "correct_training", "consent",
    "withdraw", "profile", "mentee", "correct_mentee", "pair", "add_mentee", "complete",
    "dissolve", "correct_start", "program", "output", "retract", "checklist", "reopen", "target",
    "rename_org", "close_org", "rename_municipality", "reference", "region", "round", "close_round",
    "roadmap", "drop_roadmap", "feedback",
]

numbers = st.lists(st.integers(0, 1500), min_size=4, max_size=4)
PRELUDE = ["region", "municipality", "organization", "organization", "contingent", "mentor", "mentor",
           "approve", "approve", "mentee", "mentee", "mentee", "pair", "pair"]
# A prelude that usually builds units, mentors and mentees (with random details), then anything.
steps = st.tuples(
    st.tuples(*[st.tuples(st.just(kind), numbers) for kind in PRELUDE]),
    st.lists(st.tuples(st.sampled_from(KINDS), numbers), min_size=4, max_size=24),
).map(lambda parts: list(parts[0]) + parts[1])


def _day(n: int) -> date:
    return BASE + timedelta(days=n % 1600)


class Driver:
    """Turns abstract steps into commands on the ids created so far; refused commands are fine."""

    def __init__(self, registry: Any):
        self.registry = registry
        self.ids: dict[str, list[Any]] = {}
        self.outputs: list[tuple[Any, str]] = []
        self.trainings: list[tuple[Any, str]] = []
        self.applied: dict[Any, date] = {}
        self.mentee_org: dict[Any, Any] = {}

    def pick(self, kind: str, n: int) -> Any:
        found = self.ids.get(kind) or []
        return found[n % len(found)] if found else None

    def run(self, key: str | None, command: c.Command) -> bool:
        try:
            result = self.registry.execute(command, ADMIN)
        except RegistryError:
            return False
        if key:
            self.ids.setdefault(key, []).append(result.aggregate_id)
        if isinstance(command, c.SubmitMentorApplication):
            self.applied[result.aggregate_id] = command.applied_on
        if isinstance(command, c.RegisterMentee):
            self.mentee_org[result.aggregate_id] = command.organization_id
        return True

    def step(self, index: int, kind: str, n: list[int]) -> bool:  # noqa: C901, PLR0911, PLR0912
        a, b, d, e = n
        org, mentor, mentee = self.pick("org", a), self.pick("mentor", a), self.pick("mentee", b)
        pair, program = self.pick("pair", a), self.pick("program", a)
        if kind == "municipality":
            return self.run("municipality", c.RegisterMunicipality(name=f"Район {a}", region=f"{27 + a % 2}"))  # by code
        if kind == "organization" and self.pick("municipality", a):
            return self.run("org", c.RegisterOrganization(
                name=f"ОО {a}", kind=["school", "college", "extra"][b % 3],
                municipality_id=self.pick("municipality", a), registered_on=_day(d)))
        if kind in ("contingent", "correct_contingent") and org:
            figures = c.ContingentIn(students_total=b + 50, students_10_19=b % 50 + 1,
                                     students_15_19=b % 20, students_extra=d % 30 or None,
                                     teachers_total=30, young_teachers=e % 10)
            if kind == "contingent":
                return self.run(None, c.ReportContingent(organization_id=org, year=2019 + d % 4, figures=figures))
            return self.run(None, c.CorrectContingent(organization_id=org, year=2019 + d % 4, figures=figures, reason="уточнение"))
        if kind == "mentor" and org:
            return self.run("mentor", c.SubmitMentorApplication(
                organization_id=org, person=c.PersonIn(full_name=f"Наставник {index}"),
                profile=c.MentorProfileIn(position="учитель", mentor_type="teacher", forms=FORMS[: b % 3 + 1]),
                capacity=(e % 4 + 1) if e % 2 else None, applied_on=_day(d)))
        if mentor and kind in ("approve", "suspend", "remove", "reinstate"):
            cls = {"approve": c.ApproveMentor}.get(kind)
            if cls:  # usually a date the rules accept: after the application, not in the future
                when = min(self.applied[mentor] + timedelta(days=d % 400), _day(1599))
                return self.run(None, c.ApproveMentor(mentor_id=mentor, effective_date=when))
            command = {"suspend": c.SuspendMentor, "remove": c.RemoveMentor, "reinstate": c.ReinstateMentor}[kind]
            return self.run(None, command(mentor_id=mentor, reason="по решению", effective_date=_day(d)))
        if mentor and kind == "reject":
            return self.run(None, c.RejectMentor(mentor_id=mentor, reason="не подходит"))
        if mentor and kind == "training":
            ok = self.run(None, c.RecordTraining(mentor_id=mentor, course="Курс", provider="ИРО", hours=b % 72 + 1,
                                                 completed_on=_day(d), command_id=f"training-{index}"))
            if ok:
                self.trainings.append((mentor, f"training-{index}"))
            return ok
        if kind == "correct_training" and self.trainings:
            mentor_id, training_id = self.trainings[a % len(self.trainings)]
            return self.run(None, c.CorrectTraining(mentor_id=mentor_id, training_id=training_id, course="Курс 2",
                                                    provider="ИРО", completed_on=_day(d), reason="опечатка"))
        if mentor and kind == "consent":
            return self.run(None, c.GiveConsent(mentor_id=mentor, fields=["name", "forms", "training"][: b % 3 + 1],
                                                effective_date=_day(d)))
        if mentor and kind == "withdraw":
            return self.run(None, c.WithdrawConsent(mentor_id=mentor, effective_date=_day(d)))
        if mentor and kind == "profile":
            return self.run(None, c.UpdateMentorProfile(
                mentor_id=mentor, person=c.PersonIn(full_name=f"Наставник {index}*"),
                profile=c.MentorProfileIn(position="методист", mentor_type="teacher", subjects=["физика"])))
        if kind in ("mentee", "correct_mentee") and org:
            category = CATEGORIES[b % 4]
            details = dict(category=category, person=c.PersonIn(full_name=f"Наставляемый {index}"),
                           birth_year=2000 + d % 16, work_started_on=_day(e) if category.endswith("teacher") else None)
            if kind == "mentee":
                return self.run("mentee", c.RegisterMentee(organization_id=org, registered_on=_day(a), **details))
            if mentee:
                return self.run(None, c.CorrectMentee(mentee_id=mentee, reason="уточнение", **details))
        if kind == "pair" and mentor and mentee:
            org = self.mentee_org[mentee]
            mentees = list(dict.fromkeys([mentee, self.pick("mentee", e)]))[: d % 2 + 1]
            mentees = [m for m in mentees if self.mentee_org[m] == org]
            return self.run("pair", c.FormPair(organization_id=org, mentor_id=mentor, mentee_ids=mentees,
                                               form=FORMS[b % 3], program_id=program if e % 3 == 0 else None,
                                               started_on=_day(d)))
        if pair and kind == "add_mentee" and mentee:
            return self.run(None, c.AddMenteeToPair(pair_id=pair, mentee_id=mentee, joined_on=_day(d)))
        if pair and kind == "complete":
            return self.run(None, c.CompletePair(pair_id=pair, ended_on=_day(d), outcome="итог"))
        if pair and kind == "dissolve":
            return self.run(None, c.DissolvePair(pair_id=pair, ended_on=_day(d), reason="причина"))
        if pair and kind == "correct_start":
            return self.run(None, c.CorrectPairStart(pair_id=pair, started_on=_day(d), reason="опечатка"))
        if kind == "program" and org:
            return self.run("program", c.AdoptProgram(organization_id=org, title=f"Программа {index}", forms=FORMS[:1],
                                                      starts_on=_day(d), ends_on=_day(d + e) if e % 2 else None))
        if kind == "output" and program:
            ok = self.run(None, c.RecordProgramOutput(program_id=program, kind="project", title="Продукт",
                                                      produced_on=_day(d), command_id=f"output-{index}"))
            if ok:
                self.outputs.append((program, f"output-{index}"))
            return ok
        if kind == "retract" and self.outputs:
            program_id, output_id = self.outputs[a % len(self.outputs)]
            return self.run(None, c.RetractProgramOutput(program_id=program_id, output_id=output_id, reason="ошибка"))
        if kind == "checklist" and org:
            return self.run(None, c.CompleteChecklistItem(organization_id=org, item=ITEMS[b % 3],
                                                          document=c.DocumentIn(number=f"№{d}"), completed_on=_day(d)))
        if kind == "reopen" and org:
            return self.run(None, c.ReopenChecklistItem(organization_id=org, item=ITEMS[b % 3], reason="отмена"))
        if kind == "target":
            unit = self.pick("municipality", b)
            unit_kind, unit_id = ("municipality", str(unit)) if unit and d % 2 else ("region", f"{27 + b % 2}")
            return self.run(None, c.SetTarget(indicator=INDICATORS[a % 3], unit_kind=unit_kind, unit_id=unit_id,
                                              year=2019 + e % 4, share_percent=Decimal(d % 101), reason="план"))
        if kind == "rename_org" and org:
            return self.run(None, c.RenameOrganization(organization_id=org, name=f"ОО {a}-{b}", effective_date=_day(d),
                                                       reason="переименование"))
        if kind == "close_org" and org:
            return self.run(None, c.CloseOrganization(organization_id=org, effective_date=_day(d), reason="реорганизация"))
        if kind == "region":  # the region as a unit: registered by code, else renamed
            code = f"{27 + a % 2}"
            return self.run(None, c.RegisterRegion(code=code, name=f"Край {b % 2}")) or self.run(
                None, c.RenameRegion(code=code, name=f"Край {b}", reason="переименование"))
        if kind == "rename_municipality" and self.pick("municipality", a):
            return self.run(None, c.RenameMunicipality(municipality_id=self.pick("municipality", a),
                                                       name=f"Округ {b}", reason="преобразование"))
        if kind == "reference":
            command = [c.AddReferenceEntry(list_kind="mentoring_form", code=f"form_{b % 5}", title=f"Форма {b}"),
                       c.RenameReferenceEntry(list_kind="mentoring_form", code=FORMS[b % 3], title=f"Форма {d}"),
                       c.RetireReferenceEntry(list_kind="checklist_item", code=ITEMS[b % 3], reason="устарел")][a % 3]
            return self.run(None, command)
        if kind == "round":
            return self.run("round", c.OpenMonitoringRound(
                title=f"Мониторинг {a}", year=_day(d).year, asked=["contingent", "checklist", "outputs", "pairs"][: b % 4 + 1],
                checklist_items=ITEMS[: e % 3 + 1] if b % 4 >= 1 else [], organization_kinds=["school", "college"],
                municipality_id=self.pick("municipality", a) if b % 2 else None,
                opened_on=_day(d), due_on=_day(d) + timedelta(days=e % 60)))
        if kind == "feedback" and pair:
            return self.run(None, c.RecordPairFeedback(
                pair_id=pair, respondent="mentor", answered_on=_day(1599), scores={"overall": b % 10 + 1, "goals": e % 10 + 1}))
        if kind in ("roadmap", "drop_roadmap"):
            municipality = self.pick("municipality", a) if b % 2 else None
            if kind == "drop_roadmap":
                return self.run(None, c.DropRoadmapItem(item=ITEMS[d % 3], municipality_id=municipality, reason="исключён"))
            return self.run(None, c.PlanRoadmapItem(
                item=ITEMS[d % 3], municipality_id=municipality, due_on=_day(e), responsible=f"Ответственный {b}",
                document_kind=["order", "regulation", "roadmap", "website_section"][e % 4], reason="перенос срока"))
        if kind == "close_round" and self.pick("round", a):
            return self.run(None, c.CloseMonitoringRound(round_id=self.pick("round", a), closed_on=_day(d + 1000)))
        return False


# Many small SQLite files: on tmpfs where there is one (fsync on every commit dominates otherwise).
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


def _check(kind: str, sequence: list[tuple[str, list[int]]], batch: int, rebuild_batch: int) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as directory, fresh_registry(kind, Path(directory)) as registry:
        store = open_view_store(registry)
        projector = Projector(registry, store, batch_size=batch)
        projector.catch_up()
        driver = Driver(registry)
        snapshot: tuple[int, dict[str, Any]] | None = None
        for index, (step_kind, numbers) in enumerate(sequence):
            if driver.step(index, step_kind, numbers):
                projector.catch_up()  # incremental, in small batches
                if snapshot is None and index >= len(sequence) // 2:
                    snapshot = (projector.position, store.dump())
        assert projector.position == registry.position()
        incremental = store.dump()
        assert rebuild(registry, store, batch_size=rebuild_batch) == registry.position()
        assert store.dump() == incremental
        assert store.position() == registry.position()
        if snapshot is not None:
            throwaway = memory_view_store()
            try:
                Projector(registry, throwaway, upto=snapshot[0], batch_size=rebuild_batch).catch_up()
                assert throwaway.position() == snapshot[0]
                assert throwaway.dump() == snapshot[1]
            finally:
                throwaway.close()


COMMON = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=25, **COMMON)  # type: ignore[arg-type]
@given(sequence=steps, batch=st.integers(1, 7), rebuild_batch=st.integers(1, 500))
def test_rebuild_equals_incremental_sqlite(sequence, batch, rebuild_batch) -> None:  # type: ignore[no-untyped-def]
    _check("sqlite", sequence, batch, rebuild_batch)


@pytest.mark.postgres
@settings(max_examples=6, **COMMON)  # type: ignore[arg-type]
@given(sequence=steps, batch=st.integers(1, 7), rebuild_batch=st.integers(1, 500))
def test_rebuild_equals_incremental_postgres(sequence, batch, rebuild_batch) -> None:  # type: ignore[no-untyped-def]
    _check("postgres", sequence, batch, rebuild_batch)


def test_a_scripted_sequence_touches_every_view() -> None:
    """A fixed sequence that succeeds at every kind of step, so no view is left untested."""
    sequence = [(kind, [3, 4, 400, 5]) for kind in KINDS]
    sequence = [("region", [0, 0, 0, 0]),  # region 27 registered: its targets are recorded
                ("municipality", [0, 0, 0, 0]), ("organization", [0, 0, 100, 0])] + sequence
    sequence += [("mentee", [0, 0, 10, 0]), ("mentor", [0, 1, 200, 1]), ("approve", [1, 0, 300, 0]),
                 ("pair", [1, 0, 500, 0]), ("complete", [0, 0, 900, 0]), ("output", [0, 0, 450, 0]),
                 ("retract", [0, 0, 0, 0]), ("checklist", [0, 0, 20, 0]),
                 ("consent", [1, 2, 500, 0]),  # the approved mentor publishes: the public views
                 ("roadmap", [0, 1, 401, 7]), ("feedback", [0, 0, 0, 0])]
    with tempfile.TemporaryDirectory() as directory, fresh_registry("sqlite", Path(directory)) as registry:
        driver = Driver(registry)
        for index, (kind, numbers) in enumerate(sequence):
            driver.step(index, kind, numbers)
        store = open_view_store(registry)
        Projector(registry, store).catch_up()
        dump = store.dump()
        empty = [name for name, rows in dump.items() if not rows]
        assert empty == [], empty
    _check("sqlite", sequence, 3, 5)
