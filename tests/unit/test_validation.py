"""Raw input becomes a command or an InvalidCommand that lists every problem, in Russian."""

from __future__ import annotations

import pytest

from registry import commands as c
from registry.errors import InvalidCommand
from registry.validation import parse_command


def test_every_problem_of_an_organization_form_is_reported_at_once_by_field() -> None:
    with pytest.raises(InvalidCommand) as refused:
        parse_command(
            c.RegisterOrganization,
            {
                "name": "  ",
                "kind": "university",
                "municipality_id": "not-an-id",
                "inn": "12",
                "registered_on": "2021-02-30",
                "director": "Иванов",
            },
        )
    problems = {p.field: p for p in refused.value.problems}
    assert set(problems) == {"name", "kind", "municipality_id", "inn", "registered_on", "director"}
    assert problems["registered_on"].message == "Некорректная дата (нужен формат ГГГГ-ММ-ДД)"
    assert problems["inn"].message == "ИНН — 10 или 12 цифр"
    assert problems["kind"].message == "Допустимые значения: 'school', 'college' или 'extra'"
    assert problems["director"].rule == "extra_forbidden"
    assert all(any("а" <= ch <= "я" for ch in p.message.lower()) for p in problems.values())


def test_nested_fields_are_named_by_their_path() -> None:
    with pytest.raises(InvalidCommand) as refused:
        parse_command(
            c.ReportContingent,
            {
                "organization_id": "3c2fedfe-2ca1-4896-835b-431734b29793",
                "year": 2021,
                "figures": {"students_total": -5, "young_teachers": "много"},
            },
        )
    fields = {p.field: p.message for p in refused.value.problems}
    assert fields == {
        "figures.students_total": "Значение должно быть не меньше 0",
        "figures.young_teachers": "Нужно целое число",
    }


def test_valid_input_is_parsed_with_names_tidied() -> None:
    command = parse_command(
        c.RegisterMentee,
        {
            "organization_id": "3c2fedfe-2ca1-4896-835b-431734b29793",
            "category": "pupil",
            "person": {"full_name": "  Сидоров   Семён  ", "birth_date": "2008-05-01"},
            "registered_on": "2020-09-01",
        },
    )
    assert command.person.full_name == "Сидоров Семён"
    assert command.person.birth_date.isoformat() == "2008-05-01"


def test_every_command_a_user_can_send_has_a_handler() -> None:
    from registry.handlers import HANDLERS

    assert set(c.ALL_COMMANDS) == set(HANDLERS)
