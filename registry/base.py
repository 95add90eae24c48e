"""The base every registry aggregate shares: pinned topics and attribution on every event.

Attribution (who, which command) is not a parameter of each domain method: the application
opens a `recording_as(meta)` block for the command, and every event triggered inside it carries
that `EventMeta`. An event triggered outside any command is a programming error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.utils import register_topic

from registry.errors import RuleViolation
from registry.values import EventMeta

_current_meta: ContextVar[EventMeta | None] = ContextVar("reestr_event_meta", default=None)


@contextmanager
def recording_as(meta: EventMeta) -> Iterator[EventMeta]:
    """Attribute every event triggered inside the block to `meta`."""
    token = _current_meta.set(meta)
    try:
        yield meta
    finally:
        _current_meta.reset(token)


def _meta_or_fail() -> EventMeta:
    meta = _current_meta.get()
    if meta is None:
        raise RuntimeError("registry events must be triggered inside recording_as(meta)")
    return meta


def pinned(name: str) -> Any:
    """Give an aggregate and its events stable topics `reestr:<name>.<Event>`.

    Stored events name their class by topic; pinning them to names instead of module paths
    means moving or renaming a Python class can never break the replay of the log.
    """

    def pin(cls: type) -> type:
        for attr, obj in list(vars(cls).items()):
            if isinstance(obj, type) and issubclass(obj, CanMutateAggregate) and attr != "Event":
                obj.TOPIC = f"reestr:{name}.{attr}"  # type: ignore[attr-defined]
                register_topic(obj.TOPIC, obj)  # type: ignore[attr-defined]
        cls.TOPIC = f"reestr:{name}"  # type: ignore[attr-defined]
        register_topic(cls.TOPIC, cls)  # type: ignore[attr-defined]
        return cls

    return pin


class RegistryAggregate(Aggregate):
    """An aggregate whose events carry `meta` (who, which command); see `pinned` for topics."""

    class Event(Aggregate.Event):
        meta: EventMeta

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        kwargs.setdefault("meta", _meta_or_fail())
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("meta", _meta_or_fail())
        super().trigger_event(event_class, **kwargs)


def require(condition: bool, *, rule: str, field: str, message: str) -> None:
    """Refuse the command unless `condition` holds."""
    if not condition:
        raise RuleViolation(rule=rule, field=field, message=message)


def require_not_future(value: date | None, *, field: str, today: date) -> None:
    """Dates of the world are never in the future of the day the command is recorded."""
    if value is not None and value > today:  # the message is formatted only when it is needed
        raise RuleViolation(rule="date_not_in_future", field=field,
                            message=f"Дата {value:%d.%m.%Y} ещё не наступила")


def require_reason(reason: str | None, *, field: str = "reason") -> str:
    """A rejection, dissolution, suspension, removal or correction must say why."""
    text = (reason or "").strip()
    require(bool(text), rule="reason_required", field=field, message="Нужно указать причину")
    return text


def require_not_erased(aggregate: Any) -> None:
    """Nothing personal is recorded again for a person whose personal data were erased."""
    require(
        not getattr(aggregate, "erased", False),
        rule="personal_data_erased",
        field="person",
        message="Персональные данные этого человека удалены: изменить их нельзя",
    )
