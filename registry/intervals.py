"""Rules judged on the dates of the world: each mentee's membership of a pair is an interval.

Officials enter the past after the fact and in any order, so a rule that depends on time (a
mentor's capacity, one active pair of a form per mentee) looks at the days each pair is known
to run, never at what happens to be recorded now. A pair is known to run from the day a mentee
joined it to its completion or dissolution; while no end is recorded, the registry knows only
the days up to its last recorded join (the end may still be entered, dated long ago). So a new pair never collides with
an old one whose end has not been entered yet; the collision, if any, is refused when that end
arrives (naming the other pair). The same valid history is thus accepted in any order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from registry.base import require


@dataclass(frozen=True)
class Span:
    """One mentee in one pair: from joining to the pair's end (None: no end recorded yet).

    `known_until`: the last day the pair is known to run without an end — its last join."""

    pair_id: str
    mentee_id: str
    form: str
    start: date
    end: date | None
    known_until: date

    @property
    def last_known_day(self) -> date:
        """The last day the registry knows the mentee was in the pair and held its place.

        The end day is the handover day: a pair ending on it and another starting on it do not
        collide — unless someone joined the pair that day (a join shows the pair runs on it);
        a one-day pair still holds its only day. So an end only ever adds known days."""
        if self.end is None:
            return max(self.start, self.known_until)
        return max(self.start, self.end - timedelta(days=1), self.known_until)

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.last_known_day

    def overlaps(self, other: Span) -> bool:
        return self.start <= other.last_known_day and other.start <= self.last_known_day


def spans_of(pair_id: str, form: str, mentees: dict[str, date], ended_on: date | None) -> list[Span]:
    """A pair's spans: one per mentee, from the day they joined (a join shows the pair runs)."""
    last_join = max(mentees.values(), default=None)
    return [
        Span(pair_id, mentee_id, form, joined, ended_on, last_join or joined)
        for mentee_id, joined in mentees.items()
    ]


def named_pairs(spans: Iterable[Span]) -> str:
    # Pairs have no names: the officials know them by their first day; the id tells them apart.
    seen: dict[str, date] = {}
    for span in spans:
        seen[span.pair_id] = min(span.start, seen.get(span.pair_id, span.start))
    return ", ".join(f"пара {pid[:8]} с {start:%d.%m.%Y}" for pid, start in sorted(seen.items(), key=lambda i: (i[1], i[0])))


def require_capacity(capacity: int | None, others: list[Span], proposed: list[Span]) -> None:
    """On no day known for `proposed` does the mentor lead more mentees than the capacity."""
    if capacity is None or not proposed:
        return
    everything = others + proposed
    for span in proposed:
        # The count only rises on a day some span starts: those days (and the span's own) suffice.
        days = {span.start} | {s.start for s in everything if span.covers(s.start)}
        for day in sorted(days):
            covering = [s for s in everything if s.covers(day)]
            if len(covering) > capacity:
                already = [s for s in others if s.covers(day)]
                require(
                    False,
                    rule="mentor_capacity",
                    field="mentor_id",
                    message=(
                        f"Наставник уже ведёт {len(already)} из {capacity} наставляемых на {day:%d.%m.%Y}"
                        + (f" ({named_pairs(already)})" if already else "")
                    ),
                )


def require_one_pair_per_form(others: list[Span], proposed: list[Span], *, field: str) -> None:
    """A mentee is never in two pairs of the same form on the same day."""
    for span in proposed:
        clash = [
            s for s in others
            if s.mentee_id == span.mentee_id and s.form == span.form and s.pair_id != span.pair_id and s.overlaps(span)
        ]
        require(
            not clash,
            rule="one_active_pair_per_form",
            field=field,
            message=(
                "Наставляемый уже состоит в активной паре этой формы наставничества"
                f" в эти дни ({named_pairs(clash)})"
            ),
        )


def clip(spans: list[Span], since: date, until: date | None) -> list[Span]:
    """The part of each span from `since` to `until` (a handover day, or None: to the span's end)."""
    out: list[Span] = []
    for span in spans:
        start = max(span.start, since)
        if until is None:
            out.append(Span(span.pair_id, span.mentee_id, span.form, start, span.end, max(span.known_until, start)))
        elif start < until:
            end = until if span.end is None else min(span.end, until)
            held = max(start, min(span.known_until, until - timedelta(days=1)))
            out.append(Span(span.pair_id, span.mentee_id, span.form, start, end, held))
    return out


@dataclass(frozen=True)
class Schedule:
    """The other pairs of the people a command touches, as spans (the pair at hand left out)."""

    mentor: list[Span]
    mentees: dict[str, list[Span]]

    def of_mentee(self, mentee_id: str) -> list[Span]:
        return self.mentees.get(mentee_id, [])
