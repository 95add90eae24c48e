"""Errors a command can end in; each names the rule, the field and says why in Russian."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a command."""

    field: str
    rule: str
    message: str


class RegistryError(Exception):
    """Base of every error a command may raise; nothing was recorded."""

    code = "registry_error"

    def __init__(self, message: str, problems: list[FieldProblem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class RuleViolation(RegistryError):
    """A domain rule refused the command."""

    code = "rule_violation"

    def __init__(self, rule: str, field: str, message: str):
        super().__init__(message, [FieldProblem(field=field, rule=rule, message=message)])
        self.rule = rule
        self.field = field

    def __str__(self) -> str:
        return f"{self.rule} ({self.field}): {self.message}"


class InvalidCommand(RegistryError):
    """The command did not validate: wrong types, missing fields, bad dates."""

    code = "invalid_command"

    def __str__(self) -> str:
        details = "; ".join(f"{p.field}: {p.message}" for p in self.problems)
        return f"{self.message}: {details}"


class NotFound(RegistryError):
    """The command names something the registry does not hold."""

    code = "not_found"

    def __init__(self, entity: str, entity_id: object, field: str = "id"):
        message = f"{_ENTITY_NAMES_RU.get(entity, 'Объект')} {entity_id} не найден(а) в реестре"
        super().__init__(message, [FieldProblem(field=field, rule="exists", message=message)])
        self.entity = entity
        self.entity_id = entity_id


class Conflict(RegistryError):
    """Another writer changed the same aggregate first; nothing of this command was recorded."""

    code = "conflict"


class IdempotencyKeyReused(Conflict):
    """The client command id was already used for a different command."""

    code = "idempotency_key_reused"


class Forbidden(RegistryError):
    """The actor's role or scope does not allow this command."""

    code = "forbidden"


class BatchRefused(RegistryError):
    """A command of a batch was refused, so nothing of the batch was recorded.

    `index` is its place in the batch (from 0), `error` its own error; code and problems are its.
    """

    def __init__(self, index: int, error: RegistryError):
        super().__init__(
            f"Пакет не записан: команда № {index + 1} (индекс {index}) отклонена — {error.message}",
            error.problems,
        )
        self.index = index
        self.error = error
        self.code = error.code


class BatchTooLarge(RegistryError):
    """A batch would exceed what one transaction may hold; nothing was recorded."""

    code = "batch_too_large"


_ENTITY_NAMES_RU = {
    "mentor": "Наставник",
    "mentee": "Наставляемый",
    "pair": "Пара (группа)",
    "organization": "Организация",
    "municipality": "Муниципалитет",
    "program": "Программа",
    "reference_list": "Справочник",
    "referencelist": "Справочник",
    "target_plan": "План целевых показателей",
    "targetplan": "План целевых показателей",
    "checklist": "Чек-лист",
    "user": "Пользователь",
    "person": "Наставник или наставляемый",
}


class AccessKept(Conflict):
    """Revoking this user would leave the registry without an administrator, or lock the actor out."""

    code = "access_kept"

    def __init__(self, rule: str, message: str):
        super().__init__(message, [FieldProblem(field="user_id", rule=rule, message=message)])
        self.rule = rule
