"""Mentor suggestions for a mentee or a group, from the views, each with its reasons in Russian.

Never offered: a mentor not in the registry (active), one without the asked form, one without
room for the whole group over the intended interval, one of another organization who has not
consented to be public (152-ФЗ: a stranger's curator sees only public entries). The others are
ranked by: subject or direction matching, the same organization, then the same municipality, the
most free places over the interval, completed training.

The load over the interval counts the mentees the mentor leads in pairs whose effective interval
(`pair_members`: joined_on … ended_on, both days included, open while active) overlaps the
intended one; a mentor without a stated capacity has room for any group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.read_sql import Area
from projections.store import Tx

_FAR_FUTURE = "9999-12-31"

SAME_ORGANIZATION, SAME_MUNICIPALITY, ELSEWHERE = 0, 1, 2


@dataclass(frozen=True)
class Wish:
    """What the suggestion is for: the mentees, the form, the subject, the interval."""

    mentee_ids: list[str]
    form: str
    subject: str | None
    starts_on: date
    ends_on: date | None


def _period_ru(wish: Wish) -> str:
    end = f"{wish.ends_on:%d.%m.%Y}" if wish.ends_on else "без даты окончания"
    return f"{wish.starts_on:%d.%m.%Y} – {end}"


def mentees_of(tx: Tx, mentee_ids: list[str], area: Area) -> list[tuple[str, str, str]]:
    """(id, organization, municipality) of the mentees within the reader's area."""
    condition, params = area.condition("me.organization_id")
    marks = ", ".join(["%s"] * len(mentee_ids))
    return [
        (row[0], row[1], row[2])
        for row in tx.rows(
            "SELECT me.id, me.organization_id, o.municipality_id FROM {p}mentees me "
            "JOIN {p}organizations o ON o.id = me.organization_id "
            f"WHERE me.id IN ({marks}) AND {condition}",
            [*mentee_ids, *params],
        )
    ]


def _loads(tx: Tx, wish: Wish) -> dict[str, int]:
    """Mentees each mentor leads in pairs overlapping the intended interval."""
    rows = tx.rows(
        "SELECT p.mentor_id, COUNT(*) FROM {p}pair_members pm JOIN {p}pairs p ON p.id = pm.pair_id "
        "WHERE pm.joined_on <= %s AND (pm.ended_on IS NULL OR pm.ended_on >= %s) GROUP BY p.mentor_id",
        (wish.ends_on.isoformat() if wish.ends_on else _FAR_FUTURE, wish.starts_on.isoformat()),
    )
    return {mentor_id: int(count) for mentor_id, count in rows}


def _trainings(tx: Tx) -> dict[str, tuple[str, str]]:
    """Each mentor's latest completed course: (course, completed_on)."""
    latest: dict[str, tuple[str, str]] = {}
    for mentor_id, course, completed_on in tx.rows(
        "SELECT mentor_id, course, completed_on FROM {p}trainings ORDER BY completed_on, training_id"
    ):
        latest[mentor_id] = (course, completed_on)
    return latest


def _form_title(tx: Tx, form: str) -> str:
    row = tx.one(
        "SELECT e.title FROM {p}reference_entries e JOIN {p}reference_lists l ON l.id = e.list_id "
        "WHERE l.kind = 'mentoring_form' AND e.code = %s",
        (form,),
    )
    return str(row[0]) if row else form


def suggest(
    tx: Tx, wish: Wish, organization_id: str, municipality_id: str, *, reader_sees: Any, limit: int = 20
) -> list[dict[str, Any]]:
    """Ranked suggestions for mentees of `organization_id`; `reader_sees(org, municipality)` tells
    whether the reader may see a mentor's full entry (otherwise only the consented fields)."""
    loads = _loads(tx, wish)
    trainings = _trainings(tx)
    form_title = _form_title(tx, wish.form)
    group = len(wish.mentee_ids)
    subject = (wish.subject or "").strip().casefold()
    found = []
    for row in tx.rows(
        "SELECT m.id, m.full_name, m.organization_id, o.name, o.municipality_id, mu.name, m.forms, "
        "m.subjects, m.capacity, m.consent_fields FROM {p}mentors m "
        "JOIN {p}organizations o ON o.id = m.organization_id "
        "JOIN {p}municipalities mu ON mu.id = o.municipality_id WHERE m.status = 'active' ORDER BY m.id"
    ):
        mentor_id, name, org_id, org_name, mun_id, mun_name, forms, subjects, capacity, consent = row
        forms, subjects, consent = json.loads(forms), json.loads(subjects), json.loads(consent)
        if wish.form not in forms:
            continue
        if org_id != organization_id and not consent:
            continue  # another organization's mentor who is not public
        load = loads.get(mentor_id, 0)
        free = None if capacity is None else capacity - load
        if free is not None and free < group:
            continue
        locality = (SAME_ORGANIZATION if org_id == organization_id
                    else SAME_MUNICIPALITY if mun_id == municipality_id else ELSEWHERE)
        matches = bool(subject) and any(subject == s.casefold() for s in subjects)
        trained = trainings.get(mentor_id)
        full = reader_sees(org_id, mun_id)
        shown = set(consent) | ({"name", "organization", "municipality", "forms", "subjects"} if full else set())
        reasons = [f"ведёт форму «{form_title}»"]
        if subject:
            reasons.append(f"предмет (направление) «{wish.subject}» совпадает" if matches
                           else f"предмет (направление) «{wish.subject}» не указан у наставника")
        if locality == SAME_ORGANIZATION:
            reasons.append("из той же организации")
        elif locality == SAME_MUNICIPALITY and (shown & {"organization", "municipality"}):
            reasons.append("из другой организации того же муниципалитета")
        else:
            reasons.append("из другой организации" + (" другого муниципалитета" if shown & {"organization", "municipality"} else ""))
        reasons.append(
            f"ёмкость не ограничена; на период {_period_ru(wish)} ведёт {load}" if free is None
            else f"свободно мест: {free} из {capacity} на период {_period_ru(wish)}"
        )
        reasons.append(f"прошёл обучение наставников («{trained[0]}», {date.fromisoformat(trained[1]):%d.%m.%Y})"
                       if trained else "обучение наставников не пройдено")
        if org_id != organization_id:
            reasons.append("дал согласие на публикацию в реестре")
        found.append({
            "mentor_id": mentor_id,
            "full_name": name if "name" in shown else None,
            "organization_id": org_id if "organization" in shown else None,
            "organization": org_name if "organization" in shown else None,
            "municipality": mun_name if shown & {"organization", "municipality"} else None,
            "forms": forms if "forms" in shown else None,
            "subjects": subjects if "subjects" in shown else None,
            "capacity": capacity,
            "load": load,
            "free": free,
            "trained": trained is not None,
            "subject_matches": matches,
            "locality": locality,
            "reasons": reasons,
        })
    found.sort(key=lambda s: (not s["subject_matches"], s["locality"],
                              -(s["free"] if s["free"] is not None else 10**6), not s["trained"], s["mentor_id"]))
    for rank, item in enumerate(found[:limit], start=1):
        item["rank"] = rank
    return found[:limit]
