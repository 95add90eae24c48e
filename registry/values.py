"""Value objects that events carry: who acted, documents, personal data, contingents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MUNICIPAL = "municipal"
    CURATOR = "curator"
    AUDITOR = "auditor"
    SYSTEM = "system"


class OrganizationKind(StrEnum):
    SCHOOL = "school"
    COLLEGE = "college"
    EXTRA = "extra"


class MenteeCategory(StrEnum):
    """Categories the indicators are defined on, so they are fixed codes, not a region's list."""

    PUPIL = "pupil"
    COLLEGE_STUDENT = "college_student"
    YOUNG_TEACHER = "young_teacher"
    TEACHER = "teacher"


class MentorStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    REMOVED = "removed"


class PairStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DISSOLVED = "dissolved"


class _Immutable:
    """Frozen value objects of scalars are shared, not copied, when the aggregate cache
    deep-copies an aggregate for a command: copying them is most of the cost of a cached read."""

    def __copy__(self) -> _Immutable:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> _Immutable:
        return self


#: Profile fields a mentor may consent to publish (152-ФЗ art. 10.1: field by field).
PUBLISHABLE_FIELDS = ("name", "organization", "municipality", "forms", "subjects", "training")


@dataclass(frozen=True)
class Actor(_Immutable):
    """Who acts: a user with a role, scoped to an organization or a municipality."""

    user_id: str
    role: Role
    organization_id: str | None = None
    municipality_id: str | None = None


@dataclass(frozen=True)
class EventMeta(_Immutable):
    """Attribution every event carries: who recorded it and under which command."""

    user_id: str
    role: str
    command_id: str
    organization_id: str | None = None
    municipality_id: str | None = None


@dataclass(frozen=True)
class Document(_Immutable):
    """A document that proves a fact: an order, a regulation, a certificate."""

    number: str | None = None
    issued_on: date | None = None
    link: str | None = None


@dataclass(frozen=True)
class PersonalData(_Immutable):
    """A person's personal data (152-ФЗ), kept apart so it can be shredded per person."""

    full_name: str
    birth_date: date | None = None
    email: str | None = None
    phone: str | None = None
    snils: str | None = None


@dataclass(frozen=True)
class Contingent(_Immutable):
    """The denominators of an organization for one reporting year."""

    students_total: int | None = None
    students_10_19: int | None = None
    students_15_19: int | None = None
    students_extra: int | None = None
    teachers_total: int | None = None
    young_teachers: int | None = None


@dataclass(frozen=True)
class MentorProfile:
    """What a mentor does: not personal data, but published only with consent."""

    position: str
    mentor_type: str
    forms: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    employer: str | None = None


@dataclass(frozen=True)
class TrainingRecord(_Immutable):
    """A completed course (обучение наставников): who taught it, how long, the certificate."""

    course: str
    provider: str
    completed_on: date
    hours: int | None = None
    certificate_number: str | None = None
