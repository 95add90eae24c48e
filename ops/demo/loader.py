"""Loading the demo: the guards a registry must pass, then every planned step through the registry."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ops.demo.content import LAST_DAY
from ops.demo.plan import plan_region
from ops.demo.steps import Ref, Step
from registry import commands as c
from registry.application import Registry
from registry.errors import RegistryError
from registry.reference import ListKind
from registry.values import Actor, Role

ADMIN = Actor("demo-admin", Role.ADMIN)


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` recorded."""

    municipalities: int
    organizations: int
    mentors: int
    mentees: int
    pairs: int
    programs: int
    outputs: int
    events: int
    seconds: float


def load_demo(
    registry: Registry,
    *,
    seed: int = 2021,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load the demo region into a registry holding no region data yet; refuse otherwise.

    Reference lists and users may be there already; anything else (a municipality, a target...)
    means the registry is in use or the demo is loaded, and nothing is recorded.
    """
    today = registry.clock()
    if today < LAST_DAY:
        raise RuntimeError(
            f"Демо-данные датированы 2020–2022 годами, а сегодня по часам реестра {today:%d.%m.%Y}: "
            "такие даты были бы в будущем"
        )
    _require_empty(registry)
    _require_reference_codes(registry)

    started = time.perf_counter()
    first_position = registry.position()
    steps = plan_region(random.Random(seed))
    _execute(registry, steps, progress)

    def count(command: type[c.Command]) -> int:
        return sum(1 for step in steps if step.command is command)

    return DemoSummary(
        municipalities=count(c.RegisterMunicipality),
        organizations=count(c.RegisterOrganization),
        mentors=count(c.SubmitMentorApplication),
        mentees=count(c.RegisterMentee),
        pairs=count(c.FormPair),
        programs=count(c.AdoptProgram),
        outputs=count(c.RecordProgramOutput),
        events=registry.position() - first_position,
        seconds=round(time.perf_counter() - started, 2),
    )


# -- guards ---------------------------------------------------------------------------------


# What a fresh deployment may hold before the demo: its reference lists and its users (access
# grants, not data of the region); command records only ever accompany other events.
_NOT_REGION_DATA = ("reestr:ReferenceList.", "reestr:User.", "reestr:CommandRecord.")


def region_data_found(registry: Registry) -> str | None:
    """Why the registry already holds region data (in Russian), or None for a fresh deployment."""
    start = 1
    while True:
        batch = registry.recorder.select_notifications(start=start, limit=500)
        if not batch:
            return None
        for notification in batch:
            topic = notification.topic
            if topic.startswith(_NOT_REGION_DATA):
                continue
            if topic.startswith("reestr:Municipality"):
                return (
                    "В реестре уже есть муниципалитеты: демонстрационный регион уже загружен "
                    "или реестр используется. Демо загружается только в пустой реестр."
                )
            return (
                f"В реестре уже есть данные (событие № {notification.id}, {topic}): "
                "демонстрационный регион загружается только в пустой реестр."
            )
        start = batch[-1].id + 1


def _require_empty(registry: Registry) -> None:
    """No region data may be there yet: the demo never mixes with real data, nor loads twice."""
    reason = region_data_found(registry)
    if reason is not None:
        raise RuntimeError(reason)


_CODES_USED: dict[str, tuple[str, ...]] = {
    ListKind.MENTORING_FORM: (
        "pupil_pupil", "teacher_teacher", "student_pupil", "employer_pupil",
        "student_student", "educator_student", "employer_student", "educator_educator",
    ),
    ListKind.MENTORING_KIND: ("virtual", "group", "short_term", "reverse", "situational", "traditional"),
    ListKind.MENTOR_TYPE: ("pupil", "teacher", "university_student", "college_student", "employer"),
    ListKind.OUTPUT_KIND: ("project", "methodology", "competition", "publication", "event", "case"),
    ListKind.CHECKLIST_ITEM: (
        "curator_appointed", "roadmap_adopted", "regulation_adopted", "programs_adopted",
        "website_section", "mentors_trained", "monitoring_held", "data_submitted",
    ),
}


def _require_reference_codes(registry: Registry) -> None:
    for kind, codes in _CODES_USED.items():
        active = registry.reference_list(kind).active_codes()
        missing = [code for code in codes if code not in active]
        if missing:
            raise RuntimeError(
                f"В справочнике «{kind}» нет действующих кодов {', '.join(missing)}, "
                "на которых построен демонстрационный регион"
            )


# -- execution ------------------------------------------------------------------------------


def _execute(
    registry: Registry, steps: list[Step], progress: Callable[[int, int], None] | None
) -> None:
    ids: dict[Ref, UUID] = {}
    curators: dict[int, Actor] = {}

    def resolve(value: Any) -> Any:
        if isinstance(value, Ref):
            return ids[value]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    def actor(org: int | None) -> Actor:
        if org is None:
            return ADMIN
        if org not in curators:
            curators[org] = Actor(
                f"demo-curator-{org + 1}", Role.CURATOR, organization_id=str(ids[Ref("org", org)])
            )
        return curators[org]

    ordered = sorted(steps, key=lambda s: (s.on, s.phase, s.seq))
    total = len(ordered)
    for done, step in enumerate(ordered, start=1):
        command = step.command(**resolve(step.fields))
        try:
            result = registry.execute(command, actor(step.org))
        except RegistryError as error:
            raise RuntimeError(
                f"Загрузка демо-данных остановлена: реестр отклонил {step.command.__name__} "
                f"от {step.on:%d.%m.%Y} (шаг {done} из {total}): {error}. "
                "Записанное до этого осталось в реестре."
            ) from error
        if step.creates is not None:
            assert result.aggregate_id is not None
            ids[step.creates] = result.aggregate_id
        if progress is not None and (done % 250 == 0 or done == total):
            progress(done, total)
