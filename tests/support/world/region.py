"""A small, readable builder of a region for tests: it sends the real commands and returns ids.

    region = Region(registry)
    school = region.organization(kind="school")
    mentor = region.active_mentor(school, capacity=2)
    pupil = region.mentee(school, category="pupil", birth_date=date(2008, 5, 12))
    pair = region.pair(mentor, [pupil])

The hand-computed indicators scenario (`support.world.indicators`) is written with it, and the
API and staff worlds (`support.world.api`, `.staff`, `.oversight`) seed their region through it.
Everything goes through `Registry.execute` with an admin actor (the regional institute) or the
curator of the organization concerned, exactly as users would send it: no aggregate is built by
hand and nothing is mocked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from registry import commands as c
from registry.application import CommandResult, Registry
from registry.base import recording_as
from registry.errors import RegistryError
from registry.regions import region_id
from registry.values import Actor, EventMeta, Role

TODAY = date(2023, 6, 1)
"""The registry's `today` in every fixture (tests/conftest.py) and every store a test opens."""

ADMIN = Actor(user_id="admin", role=Role.ADMIN)
"""The regional institute: the admin actor of every test that sends commands itself."""
AUDITOR = Actor(user_id="auditor", role=Role.AUDITOR)

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def curator_of(organization_id: UUID, user_id: str = "curator") -> Actor:
    """The curator (куратор внедрения ЦМН) of one organization."""
    return Actor(user_id=f"{user_id}-{str(organization_id)[:8]}", role=Role.CURATOR, organization_id=str(organization_id))


def municipal_of(municipality_id: UUID) -> Actor:
    return Actor(user_id="coordinator", role=Role.MUNICIPAL, municipality_id=str(municipality_id))


def assert_russian(message: str) -> None:
    """Every refusal explains itself to the user in Russian."""
    assert message and message.strip(), "the error has no message"
    assert _CYRILLIC.search(message), f"the message is not in Russian: {message!r}"


@contextmanager
def directly() -> Iterator[None]:
    """Call an aggregate's domain method by hand (outside any command), to test a rule the
    command layer already guards, so the aggregate's own guard is proven too."""
    with recording_as(EventMeta(user_id="test", role="admin", command_id="direct-call")):
        yield


def person(full_name: str = "Иванова Мария Петровна", **more: Any) -> c.PersonIn:
    return c.PersonIn(full_name=full_name, **more)


def profile(
    *,
    mentor_type: str = "teacher",
    forms: Iterable[str] = ("pupil_pupil",),
    subjects: Iterable[str] = ("математика",),
    position: str = "учитель математики",
    employer: str | None = None,
) -> c.MentorProfileIn:
    return c.MentorProfileIn(
        position=position,
        mentor_type=mentor_type,
        forms=list(forms),
        subjects=list(subjects),
        employer=employer,
    )


class Region:
    """A region under test: municipalities, organizations, mentors, mentees and pairs."""

    def __init__(
        self, registry: Registry, *, admin: Actor = ADMIN, after: Callable[[], None] | None = None
    ) -> None:
        """`admin` sends what the institute sends (a served world passes its admin user's actor);
        `after()`, when given, runs after every accepted command (e.g. a projector's catch-up)."""
        self.registry = registry
        self.admin = admin
        self._after = after
        self._home_municipality: UUID | None = None
        self._home: UUID | None = None
        self._counter = 0

    # -- sending commands ----------------------------------------------------------------------

    def run(self, command: c.Command, actor: Actor | None = None) -> CommandResult:
        """Execute a command that must be accepted (sent by the institute unless `actor` is given)."""
        result = self.registry.execute(command, actor or self.admin)
        if self._after is not None:
            self._after()
        return result

    def refuse(
        self,
        command: c.Command,
        actor: Actor | None = None,
        *,
        expect: type[RegistryError] = RegistryError,
    ) -> Any:
        """Execute a command that must be refused: it raises `expect`, says why in Russian and
        records nothing at all (the log position does not move)."""
        before = self.registry.position()
        with pytest.raises(expect) as caught:
            self.registry.execute(command, actor or self.admin)
        assert self.registry.position() == before, "a refused command recorded events"
        assert_russian(caught.value.message)
        for problem in caught.value.problems:
            assert_russian(problem.message)
        return caught.value

    def events(self, aggregate_id: UUID) -> list[str]:
        """Names of the events stored for one aggregate, oldest first."""
        return [type(e).__name__ for e in self.registry.history(aggregate_id)]

    def last_event(self, aggregate_id: UUID) -> Any:
        return list(self.registry.history(aggregate_id))[-1]

    def get(self, cls: type, aggregate_id: UUID) -> Any:
        return self.registry.get(cls, aggregate_id)

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    # -- units ----------------------------------------------------------------------------------

    def municipality(self, name: str | None = None, region: str = "Хабаровский край") -> UUID:
        name = name or f"Муниципальный район № {self._next()}"
        return self.run(c.RegisterMunicipality(name=name, region=region)).aggregate_id  # type: ignore[return-value]

    @property
    def home_municipality(self) -> UUID:
        if self._home_municipality is None:
            self._home_municipality = self.municipality("Хабаровский муниципальный район")
        return self._home_municipality

    def organization(
        self,
        kind: str = "school",
        *,
        municipality_id: UUID | None = None,
        name: str | None = None,
        registered_on: date = date(2015, 9, 1),
        inn: str | None = None,
    ) -> UUID:
        result = self.run(
            c.RegisterOrganization(
                name=name or f"МБОУ СОШ № {self._next()}",
                kind=kind,
                municipality_id=municipality_id or self.home_municipality,
                inn=inn,
                registered_on=registered_on,
            )
        )
        return result.aggregate_id  # type: ignore[return-value]

    @property
    def home(self) -> UUID:
        """The school most scenarios happen in, registered on first use."""
        if self._home is None:
            self._home = self.organization("school", name="МБОУ СОШ № 1 с. Тополево")
        return self._home

    # -- mentors --------------------------------------------------------------------------------

    def applied_mentor(
        self,
        organization_id: UUID | None = None,
        *,
        full_name: str | None = None,
        capacity: int | None = None,
        mentor_type: str = "teacher",
        forms: Iterable[str] = ("pupil_pupil",),
        position: str = "учитель математики",
        applied_on: date = date(2021, 9, 1),
        by_curator: bool = True,
    ) -> UUID:
        """A mentor whose application a curator has submitted: pending approval."""
        organization_id = organization_id or self.home
        actor = curator_of(organization_id) if by_curator else self.admin
        result = self.run(
            c.SubmitMentorApplication(
                organization_id=organization_id,
                person=person(full_name or f"Наставник Номер {self._next()}"),
                profile=profile(mentor_type=mentor_type, forms=forms, position=position),
                capacity=capacity,
                applied_on=applied_on,
            ),
            actor,
        )
        return result.aggregate_id  # type: ignore[return-value]

    def active_mentor(
        self,
        organization_id: UUID | None = None,
        *,
        approved_on: date = date(2021, 9, 15),
        **application: Any,
    ) -> UUID:
        """A mentor approved into the registry by the regional institute."""
        mentor_id = self.applied_mentor(organization_id, **application)
        self.run(c.ApproveMentor(mentor_id=mentor_id, effective_date=approved_on))
        return mentor_id

    def training(
        self,
        mentor_id: UUID,
        completed_on: date,
        *,
        course: str = "ДПП «Наставничество»",
        provider: str = "ХК ИРО",
        hours: int | None = 36,
    ) -> CommandResult:
        """A course the mentor completed, recorded by the institute."""
        return self.run(
            c.RecordTraining(mentor_id=mentor_id, course=course, provider=provider, hours=hours, completed_on=completed_on)
        )

    # -- mentees and pairs -----------------------------------------------------------------------

    def mentee(
        self,
        organization_id: UUID | None = None,
        *,
        category: str = "pupil",
        birth_date: date | None = date(2008, 5, 12),
        birth_year: int | None = None,
        work_started_on: date | None = None,
        registered_on: date = date(2021, 9, 1),
        full_name: str | None = None,
    ) -> UUID:
        organization_id = organization_id or self.home
        if category in ("young_teacher", "teacher") and birth_date == date(2008, 5, 12):
            birth_date = None
        if category == "young_teacher" and work_started_on is None:
            work_started_on = date(2021, 8, 30)
        result = self.run(
            c.RegisterMentee(
                organization_id=organization_id,
                category=category,
                person=person(full_name or f"Наставляемый Номер {self._next()}", birth_date=birth_date),
                birth_year=birth_year,
                work_started_on=work_started_on,
                registered_on=registered_on,
            ),
            curator_of(organization_id),
        )
        return result.aggregate_id  # type: ignore[return-value]

    def pair(
        self,
        mentor_id: UUID,
        mentee_ids: Iterable[UUID],
        *,
        organization_id: UUID | None = None,
        form: str = "pupil_pupil",
        kind: str | None = None,
        program_id: UUID | None = None,
        started_on: date = date(2021, 10, 1),
    ) -> UUID:
        organization_id = organization_id or self.home
        result = self.run(
            c.FormPair(
                organization_id=organization_id,
                mentor_id=mentor_id,
                mentee_ids=list(mentee_ids),
                form=form,
                kind=kind,
                program_id=program_id,
                started_on=started_on,
            ),
            curator_of(organization_id),
        )
        return result.aggregate_id  # type: ignore[return-value]

    def program(
        self,
        organization_id: UUID | None = None,
        *,
        title: str = "Программа наставничества «Успех каждого»",
        forms: Iterable[str] = ("pupil_pupil",),
        starts_on: date = date(2021, 9, 1),
        ends_on: date | None = date(2024, 5, 31),
        order_number: str | None = "45-о",
    ) -> UUID:
        """A program adopted by the organization's order (`order_number=None`: no order given)."""
        organization_id = organization_id or self.home
        result = self.run(
            c.AdoptProgram(
                organization_id=organization_id,
                title=title,
                forms=list(forms),
                starts_on=starts_on,
                ends_on=ends_on,
                order=None if order_number is None else c.DocumentIn(number=order_number, issued_on=starts_on),
            ),
            curator_of(organization_id),
        )
        return result.aggregate_id  # type: ignore[return-value]

    def region_unit(self, code: str = "27", name: str = "Хабаровский край") -> str:
        """The region registered as a unit (once); its code, as region targets name it."""
        if region_id(code) not in self.registry.repository:
            self.run(c.RegisterRegion(code=code, name=name))
        return code

    def contingent(self, organization_id: UUID, year: int, **figures: int) -> CommandResult:
        """The organization's contingent (the denominators) for a reporting year."""
        return self.run(c.ReportContingent(organization_id=organization_id, year=year, figures=c.ContingentIn(**figures)))

    def target(
        self,
        indicator: str,
        year: int,
        share: str,
        reason: str | None = None,
        *,
        unit_kind: str = "region",
        unit_id: str | None = None,
    ) -> CommandResult:
        """A yearly target share of a unit: the region (registered on first use) unless named."""
        return self.run(
            c.SetTarget(
                indicator=indicator,
                unit_kind=unit_kind,
                unit_id=unit_id or self.region_unit(),
                year=year,
                share_percent=Decimal(share),
                reason=reason,
            )
        )
