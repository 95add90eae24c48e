"""The table from command type to the function that handles it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.context import CommandContext

Handler = Callable[[CommandContext, Any], Aggregate | None]

HANDLERS: dict[type[c.Command], Handler] = {}


def handles(command_type: type[c.Command]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the handler of `command_type`."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        HANDLERS[command_type] = handler
        return handler

    return register
