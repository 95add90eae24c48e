"""Erasure of a person's personal data: one event on the person; the key dies when it is recorded."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from registry import commands as c
from registry.context import CommandContext
from registry.handlers.table import handles
from registry.mentees import Mentee
from registry.mentors import Mentor


@handles(c.ErasePersonalData)
def erase_personal_data(ctx: CommandContext, cmd: c.ErasePersonalData) -> Aggregate:
    person = ctx.get((Mentor, Mentee), cmd.person_id, field="person_id", entity="person")  # type: ignore[arg-type]
    if person.erased:
        # Recorded earlier but the key outlived it (the process stopped in between): finish it.
        ctx.app.keys.destroy(person.id)
    person.erase_personal_data(cmd.reason)
    return person
