"""The base every registry aggregate shares: pinned topics and attribution on every event.

Attribution (who, which command) is not a parameter of each domain method: the application
opens a `recording_as(meta)` block for the command, and every event triggered inside it carries
that `EventMeta`. An event triggered outside any command is a programming error.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import partial
from typing import Any

from eventsourcing.domain import (
    Aggregate,
    CanMutateAggregate,
    CommandMethodDecorator,
    DecoratedFuncCaller,
    decorated_func_callers,
)
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
        for attr, obj in list(vars(cls).items()):
            method = EventMethod.replacing(obj)
            if method is not None:
                setattr(cls, attr, method)
        return cls

    return pin


class EventMethod:
    """A decorated command method (`@event("Renamed") def _renamed(...)`), triggered directly.

    The library's way, on every call: a bound decorator object built, the arguments bound to the
    signature, filtered for the event class, the event built, then checked against the aggregate
    and applied by filtering its attributes again for the method and calling it — ~10 µs an event
    around a method body of ~1 µs. Called as the registry's methods call them, with every argument
    by name, this builds the same event (the event class's own constructor: the same attributes in
    the same order, `meta` of the command, the library's timestamp), runs the same method body with
    those very values, then moves the version and `modified_on` and adds the event to the pending
    ones, as the library's `trigger_event` and `mutate` do. Any other call (positional arguments,
    defaults left out, a `meta` given) goes the library's way. Only methods whose event class
    applies as the library's own (`DecoratedFuncCaller`, nothing overridden) are replaced; `pinned`
    replaces them, the library's event classes and topics stay as they are.
    """

    def __init__(self, decorator: CommandMethodDecorator, event_class: Any) -> None:
        self.decorator = decorator
        self.event_class = event_class
        self.func = decorator.decorated_func
        self.names = frozenset(name for name in inspect.signature(self.func).parameters if name != "self")

    @classmethod
    def replacing(cls, obj: Any) -> EventMethod | None:
        if not isinstance(obj, CommandMethodDecorator) or obj.decorated_property is not None:
            return None
        if obj.decorated_func.__name__ == "__init__":
            return None
        event_class = decorated_func_callers.get(obj)
        if (event_class is None or event_class.mutate is not CanMutateAggregate.mutate
                or event_class.apply is not DecoratedFuncCaller.apply):
            return None
        return cls(obj, event_class)

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return self.decorator.__get__(instance, owner)
        return partial(self.trigger, instance)

    def trigger(self, aggregate: Any, *args: Any, **kwargs: Any) -> None:
        if args or kwargs.keys() != self.names or type(aggregate).trigger_event is not RegistryAggregate.trigger_event:
            return self.decorator.__get__(aggregate, type(aggregate))(*args, **kwargs)  # type: ignore[no-any-return]
        event_class = self.event_class
        event = event_class(
            originator_id=aggregate.id,
            originator_version=aggregate.version + 1,
            timestamp=event_class.create_timestamp(),
            meta=_meta_or_fail(),
            **kwargs,
        )
        self.func(aggregate, **kwargs)
        aggregate.version = event.originator_version
        aggregate.modified_on = event.timestamp
        aggregate.pending_events.append(event)
        return None


class RegistryAggregate(Aggregate):
    """An aggregate whose events carry `meta` (who, which command); see `pinned` for topics."""

    class Event(Aggregate.Event):
        meta: EventMeta

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:
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
