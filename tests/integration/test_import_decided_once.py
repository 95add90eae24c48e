"""An import decides each row once: the write records what the check decided, as it decided it —
unless somebody wrote between the two, and then the rows left are decided again, on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from support.importing import SCHOOL, filled_template, seed
from support.world import ADMIN

from ops.importing import import_file
from ops.log_transfer import notifications
from registry import commands as c
from registry.application import Registry
from registry.values import Actor

PUPILS = ["Ким Алина", "Орлов Денис", "Лебедева Вера", "Фомин Артём", "Соколова Ксения"]


def _mentees_file(registry: Registry, path: Path) -> Path:
    return filled_template(registry, "mentees", path, [
        {"ФИО": name, "Категория": "обучающийся", "Организация": SCHOOL, "Год или дата рождения": 2008 + i,
         "Дата включения в программу": date(2021, 10, 1)}
        for i, name in enumerate(PUPILS)
    ])


def _counting_decisions(registry: Registry) -> list[str]:
    """The command types the registry decides from now on, in order."""
    decided: list[str] = []
    decide = registry._decide

    def counted(command: Any, actor: Actor, context: Any) -> Any:
        decided.append(type(command).__name__)
        return decide(command, actor, context)

    registry._decide = counted  # type: ignore[method-assign]
    return decided


def _mentee_names(registry: Registry) -> list[str]:
    return sorted(
        registry.repository.get(n.originator_id).person.full_name
        for n in notifications(registry) if n.topic.endswith("Mentee.Registered")
    )


def test_a_clean_file_is_decided_once_and_recorded_as_decided(registry: Registry, tmp_path: Path) -> None:
    seed(registry)
    path = _mentees_file(registry, tmp_path / "mentees.xlsx")
    decided = _counting_decisions(registry)
    before = registry.position()

    report = import_file(registry, path)

    assert report.ok and report.recorded_rows == len(PUPILS) and not report.interrupted
    assert decided == ["RegisterMentee"] * len(PUPILS)  # the check's decisions, not made again
    assert _mentee_names(registry) == sorted(PUPILS)
    assert registry.position() - before == report.events  # what the check counted is what is in

    again = import_file(registry, path)  # nothing twice: every row answered from its record
    assert again.ok and again.present_rows == len(PUPILS) and again.recorded_rows == 0
    assert _mentee_names(registry) == sorted(PUPILS)


def test_a_write_between_check_and_write_has_the_rows_decided_again(registry: Registry, tmp_path: Path) -> None:
    units = seed(registry)
    path = _mentees_file(registry, tmp_path / "mentees.xlsx")
    decided = _counting_decisions(registry)

    def somebody_writes(phase: str, done: int, total: int) -> None:
        if phase == "check" and done == total:  # another curator's contingent, meanwhile
            registry.execute(c.ReportContingent(organization_id=units["college"], year=2021, figures={
                "students_total": 300, "students_10_19": 200, "students_15_19": 90, "teachers_total": 30,
                "young_teachers": 3}), ADMIN)

    report = import_file(registry, path, progress=somebody_writes)

    assert report.ok and report.recorded_rows == len(PUPILS)
    assert decided.count("RegisterMentee") == 2 * len(PUPILS)  # checked, then decided again to be written
    assert _mentee_names(registry) == sorted(PUPILS)


def test_a_change_between_check_and_write_that_refuses_a_row_records_none_of_it(
    registry: Registry, tmp_path: Path
) -> None:
    units = seed(registry)
    path = _mentees_file(registry, tmp_path / "mentees.xlsx")

    def school_closes(phase: str, done: int, total: int) -> None:
        if phase == "check" and done == total:
            registry.execute(c.CloseOrganization(organization_id=units["school"], effective_date=date(2021, 12, 31),
                                                 reason="реорганизация"), ADMIN)

    report = import_file(registry, path, progress=school_closes)

    assert report.interrupted and report.recorded_rows == 0
    assert "закрыта" in str(report.errors[0]) and "реестр изменился после проверки" in str(report.errors[0])
    assert _mentee_names(registry) == []


def test_a_file_too_big_to_hold_its_decisions_is_decided_again_to_be_written(
    registry: Registry, tmp_path: Path, monkeypatch: Any
) -> None:
    from ops.importing import run

    monkeypatch.setattr(run, "KEPT_EVENTS", 3)  # the first two rows' events already exceed it
    seed(registry)
    path = _mentees_file(registry, tmp_path / "mentees.xlsx")
    decided = _counting_decisions(registry)

    report = import_file(registry, path)

    assert report.ok and report.recorded_rows == len(PUPILS)
    assert decided.count("RegisterMentee") == 2 * len(PUPILS)
    assert _mentee_names(registry) == sorted(PUPILS)


def test_command_ids_are_looked_up_together(registry: Registry, tmp_path: Path) -> None:
    units = seed(registry)
    registry.execute(c.ReportContingent(organization_id=units["school"], year=2021, command_id="contingent-1",
                                        figures={"students_total": 600}), ADMIN)
    asked = ["contingent-1", "never-sent", *(f"other-{i}" for i in range(700))]  # past one statement's 500

    assert registry.unrecorded_commands(asked) == set(asked) - {"contingent-1"}

    looked_up = []
    earlier = registry._earlier_result
    registry._earlier_result = lambda command, actor: looked_up.append(command.command_id) or earlier(command, actor)  # type: ignore[method-assign]
    report = import_file(registry, _mentees_file(registry, tmp_path / "mentees.xlsx"))
    assert report.ok and looked_up == []  # a new file's ids: none looked up one by one
