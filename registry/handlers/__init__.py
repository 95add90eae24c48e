"""Command handlers: translate a validated command into calls on the aggregates it touches.

Each module registers its handlers in `HANDLERS` by importing it here.
"""

from registry.handlers import erasure, mentoring, mentors, units, users  # noqa: F401  (registration)
from registry.handlers import feedback, regions, rounds  # noqa: F401,I001  (registration)
from registry.handlers.table import HANDLERS, Handler, handles

__all__ = ["HANDLERS", "Handler", "handles"]
