"""Erasure by crypto-shredding: a person's key destroyed, their personal data unreadable everywhere,
while counts, indicators and the tamper-evident log stay as they were."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any
from uuid import UUID

from support.world.api import ApiWorld
from support.public import public_ids
from support.transparency import RawStore
from support import view_reads

from projections.periods import Period
from projections.projector import project_until
from projections.transparency.store import TransparencyLog
from projections.transparency.verify import verify_log
from registry.application import Registry
from registry.mentees import Mentee
from registry.mentors import Mentor
from registry.sealing import ERASED, ERASED_PERSON

MENTOR_NAME = "Зябликова Ангелина Тихоновна"
MENTEE_NAME = "Пташкин Тимофей Ярославович"
MENTOR_EMAIL = "zyablikova.secret@school.example"


def _people(world: ApiWorld) -> tuple[str, str]:
    """A consented, public mentor and a pupil in a pair with her."""
    mentor = world.created("/mentors", {
        "organization_id": world.org_a,
        "person": {"full_name": MENTOR_NAME, "birth_date": "1979-04-23", "email": MENTOR_EMAIL,
                   "phone": "+7 914 555-12-34", "snils": "112-233-445 95"},
        "profile": {"position": "учитель", "mentor_type": "teacher", "forms": ["pupil_pupil"],
                    "subjects": ["математика"]},
        "capacity": 3, "applied_on": "2020-09-01",
    })
    world.write(f"/mentors/{mentor}/consent", {"fields": ["name", "organization", "forms"],
                                               "effective_date": "2020-09-01"})
    world.write(f"/mentors/{mentor}/approve", {"effective_date": "2020-09-15"})
    mentee = world.created("/mentees", {
        "organization_id": world.org_a, "category": "pupil",
        "person": {"full_name": MENTEE_NAME, "birth_date": "2008-05-12"},
        "registered_on": "2020-09-01",
    })
    world.created("/pairs", {"organization_id": world.org_a, "mentor_id": mentor, "mentee_ids": [mentee],
                             "form": "pupil_pupil", "started_on": "2020-10-01"})
    return mentor, mentee


def _figures(views: Any) -> dict[str, Any]:
    return {
        "pupils": view_reads.indicator(views, "pupils_10_19", "region", Period.calendar_year(2020)).to_dict(),
        "involvement": view_reads.involvement(views, Period.calendar_year(2020)),
        "mentors": len(view_reads.mentors(views)),
        "pairs": len(view_reads.pairs(views)),
    }


def _store_bytes(registry: Registry, store_url: tuple[str, str | None]) -> bytes:
    """Every byte the store holds: the SQLite file and its log, or a dump of the PostgreSQL schema."""
    url, schema = store_url
    if schema is None:
        path = Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    dump = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", schema, "test"],
        capture_output=True, check=True, env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
    )
    return dump.stdout


def test_an_erased_person_is_gone_from_everything_readable_and_nothing_else_changes(
    open_store, store_url
) -> None:  # type: ignore[no-untyped-def]
    registry = open_store()
    world = ApiWorld(registry)
    try:
        mentor, mentee = _people(world)
        views = world.app.state.views
        before = _figures(views)
        assert MENTOR_NAME.encode() in _store_bytes(registry, store_url)  # the views hold it: the search works
        # The events themselves never held it in clear: personal data are sealed per person.
        raw = RawStore(registry)
        states = b"".join(bytes(state) for (state,) in raw.execute("SELECT state FROM {events}"))
        assert MENTOR_NAME.encode() not in states and MENTOR_EMAIL.encode() not in states
        key = registry.keys.key_for(mentor_uuid := registry.get(Mentor, UUID(mentor)).id)
        assert key is not None and len(key) == 32

        if store_url[1] is None:  # as in a long-running store, the name is in the main file too
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for person in (mentor, mentee):
            result = world.write(f"/persons/{person}/erase", {"reason": "Заявление об удалении № 5"})
            assert result["events"] == 1
        assert registry.keys.key_for(mentor_uuid) is None
        # Gone from the store already while the server runs (SQLite: old pages checkpointed over).
        for name in (MENTOR_NAME, MENTEE_NAME):
            assert name.encode() not in _store_bytes(registry, store_url)

        # The registry: the events are there, their personal data are not.
        erased = registry.get(Mentor, mentor_uuid)
        assert erased.person == ERASED_PERSON and erased.consented_fields == [] and erased.status == "active"
        applied = next(iter(registry.history(mentor_uuid)))
        assert applied.person.full_name == ERASED and applied.person.email is None
        last = list(registry.history(mentor_uuid))[-1]
        assert type(last).__name__ == "PersonalDataErased" and last.reason == "Заявление об удалении № 5"
        assert last.meta.role == "admin"
        # The views, the audit history and the public lookup.
        assert _figures(views) == before
        staff = {m["id"]: m for m in view_reads.mentors(views)}
        assert staff[mentor]["full_name"] == ERASED
        assert {m["id"]: m for m in view_reads.mentees(views)}[mentee]["full_name"] == ERASED
        assert mentor not in public_ids(world) and public_ids(world, q="Зябликова") == []
        history = world.get(f"/audit/aggregates/{mentor}/history").text
        assert MENTOR_NAME not in history and ERASED in history
        # Rebuilt from the log, the views say the same.
        rebuilt = project_until(registry, registry.position())
        try:
            assert _figures(rebuilt) == before
            assert {m["id"]: m for m in view_reads.mentors(rebuilt)}[mentor]["full_name"] == ERASED
        finally:
            rebuilt.close()
        # The log is untouched: every stored byte as before, the Merkle tree verifies.
        log = TransparencyLog(registry)
        log.catch_up()
        assert verify_log(log).ok
        # Nothing personal is recorded again for the person; the erasure is not repeated.
        refused = world.post(f"/mentors/{mentor}/consent", {"fields": ["name"], "effective_date": "2021-01-01"},
                             as_="curator")
        assert refused.status_code == 422 and "удалены" in refused.text
        again = world.post(f"/persons/{mentor}/erase", {"reason": "Повторно"}, as_="admin")
        assert again.status_code == 422
    finally:
        world.close()
    # Another process opening the store reads the same: the key is gone for everyone.
    reopened = open_store()
    assert reopened.get(Mentee, UUID(mentee)).person == ERASED_PERSON
    assert reopened.get(Mentee, UUID(mentee)).birth_year == 2008  # still counted by age
    reopened.close()
    registry.close()
    stored = _store_bytes(registry, store_url)
    for secret in (MENTOR_NAME, MENTEE_NAME, MENTOR_EMAIL, "Зябликова"):
        assert secret.encode() not in stored, f"{secret} is still readable in the store"
    assert key not in stored and key.hex().encode() not in stored  # the key itself is gone too
