"""Turning raw input into a command, with every problem named by field and said in Russian."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from registry.commands import Command
from registry.errors import FieldProblem, InvalidCommand

C = TypeVar("C", bound=Command)

# pydantic error type -> a Russian sentence; `{...}` placeholders come from the error's context.
_MESSAGES_RU = {
    "missing": "Обязательное поле не заполнено",
    "extra_forbidden": "Неизвестное поле",
    "date_from_datetime_parsing": "Некорректная дата (нужен формат ГГГГ-ММ-ДД)",
    "date_from_datetime_inexact": "Нужна дата без времени",
    "date_parsing": "Некорректная дата (нужен формат ГГГГ-ММ-ДД)",
    "date_type": "Нужна дата",
    "uuid_parsing": "Некорректный идентификатор",
    "uuid_type": "Некорректный идентификатор",
    "int_parsing": "Нужно целое число",
    "int_type": "Нужно целое число",
    "int_from_float": "Нужно целое число",
    "decimal_parsing": "Нужно число",
    "decimal_max_digits": "Слишком много цифр",
    "decimal_max_places": "Слишком много знаков после запятой",
    "bool_parsing": "Нужно «да» или «нет»",
    "string_type": "Нужна строка",
    "string_too_short": "Поле не может быть пустым",
    "string_too_long": "Слишком длинное значение (не больше {max_length} символов)",
    "string_pattern_mismatch": "Значение не подходит по формату",
    "too_short": "Нужно не меньше {min_length} значений",
    "too_long": "Допустимо не больше {max_length} значений",
    "greater_than_equal": "Значение должно быть не меньше {ge}",
    "less_than_equal": "Значение должно быть не больше {le}",
    "enum": "Допустимые значения: {expected}",
    "list_type": "Нужен список",
    "model_type": "Нужен объект с полями",
    "dict_type": "Нужен объект с полями",
    "text_character": "Недопустимый символ: {character}, позиция {position}",
}

_FIELD_HINTS_RU = {
    "inn": "ИНН — 10 или 12 цифр",
    "snils": "СНИЛС — 11 цифр (например 112-233-445 95)",
    "email": "Адрес электронной почты вида имя@домен",
    "asked": "Допустимые значения: contingent, checklist, outputs, pairs",
    "reminders_to": "Адрес электронной почты вида имя@домен",
    "respondent": "Допустимые значения: mentor (наставник), mentee (наставляемый)",
}


def russian_problems(error: ValidationError) -> list[FieldProblem]:
    """Each pydantic error as a FieldProblem: dotted field path, machine rule, Russian message."""
    problems = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "body"
        rule = item["type"]
        template = _MESSAGES_RU.get(rule)
        # The field's own name: a list item's location ends in its index (asked.0).
        name = next((str(part) for part in reversed(item["loc"]) if isinstance(part, str)), "")
        if rule == "string_pattern_mismatch" and name in _FIELD_HINTS_RU:
            message = _FIELD_HINTS_RU[name]
        elif template is not None:
            context = {k: str(v).replace(" or ", " или ") for k, v in (item.get("ctx") or {}).items()}
            try:
                message = template.format(**context)
            except (KeyError, IndexError):
                message = template
        else:
            message = f"Некорректное значение ({item['msg']})"
        problems.append(FieldProblem(field=field, rule=rule, message=message))
    return problems


def parse_command(command_type: type[C], data: dict[str, Any]) -> C:
    """Validate input as a command; raise InvalidCommand listing every problem at once."""
    try:
        return command_type.model_validate(data)
    except ValidationError as error:
        raise InvalidCommand("Команда не прошла проверку", russian_problems(error)) from None
