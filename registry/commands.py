"""Commands: what a user asks the registry to record, validated before anything is stored.

Field names here are the API's and the import's; domain rules live in the aggregates.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field, field_validator

from registry.roadmaps import DocumentKind
from registry.text import MULTILINE, CheckedText
from registry.values import MenteeCategory, OrganizationKind, Role

Text = Annotated[str, Field(min_length=1, max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=2000), MULTILINE]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
Year = Annotated[int, Field(ge=2000, le=2100)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]


class Command(CheckedText):
    """A request to record facts; `command_id` makes a retry safe."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    #: Roles that may send the command (checked with the actor's scope in `registry.access`).
    allowed_roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})

    command_id: str | None = Field(default=None, min_length=1, max_length=200)

    def payload_sha256(self) -> str:
        """Fingerprint of what is asked, to tell a retry from a reuse of its command id."""
        payload = self.model_dump(mode="json", exclude={"command_id"})
        body = json.dumps([type(self).__name__, payload], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


_CURATOR = frozenset({Role.ADMIN, Role.CURATOR})


class DocumentIn(CheckedText):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    number: str | None = Field(default=None, max_length=100)
    issued_on: date | None = None
    link: str | None = Field(default=None, max_length=1000)


class PersonIn(CheckedText):
    """Personal data (152-ФЗ): never public, shredded on erasure."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    full_name: Text
    birth_date: date | None = None
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=50)
    snils: str | None = Field(default=None, pattern=r"^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$")

    @field_validator("full_name")
    @classmethod
    def _collapse_spaces(cls, value: str) -> str:
        return " ".join(value.split())


class ContingentIn(CheckedText):
    """Blank means unknown (reported as missing), never zero."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    students_total: Count | None = None
    students_10_19: Count | None = None
    students_15_19: Count | None = None
    students_extra: Count | None = None
    teachers_total: Count | None = None
    young_teachers: Count | None = None


# -- units ----------------------------------------------------------------------------------


class RegisterRegion(Command):
    """The region as a unit: its code (as in «27») and name."""

    code: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_-]+$")]
    name: Text


class RenameRegion(Command):
    code: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z_-]+$")]
    name: Text
    reason: Reason


class RegisterMunicipality(Command):
    name: Text
    region: Text
    code: str | None = Field(default=None, max_length=20)


class RenameMunicipality(Command):
    municipality_id: UUID
    name: Text
    reason: Reason


class RegisterOrganization(Command):
    name: Text
    kind: OrganizationKind
    municipality_id: UUID
    inn: str | None = Field(default=None, pattern=r"^\d{10}(\d{2})?$")
    registered_on: date


class RenameOrganization(Command):
    organization_id: UUID
    name: Text
    effective_date: date
    reason: Reason


class CloseOrganization(Command):
    organization_id: UUID
    effective_date: date
    reason: Reason


class ReportContingent(Command):
    organization_id: UUID
    year: Year
    figures: ContingentIn


class CorrectContingent(Command):
    organization_id: UUID
    year: Year
    figures: ContingentIn
    reason: Reason


class CompleteChecklistItem(Command):
    allowed_roles = _CURATOR
    organization_id: UUID
    item: Code
    document: DocumentIn
    completed_on: date


class ReopenChecklistItem(Command):
    allowed_roles = _CURATOR
    organization_id: UUID
    item: Code
    reason: Reason


class AddReferenceEntry(Command):
    list_kind: Code
    code: Code
    title: Text


class RenameReferenceEntry(Command):
    list_kind: Code
    code: Code
    title: Text


class RetireReferenceEntry(Command):
    list_kind: Code
    code: Code
    reason: Reason


class SetTarget(Command):
    indicator: Code
    unit_kind: Annotated[str, Field(pattern=r"^(region|municipality|organization)$")]
    unit_id: Text
    year: Year
    share_percent: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
    reason: Annotated[str | None, MULTILINE] = Field(default=None, max_length=2000)


# -- mentors ----------------------------------------------------------------------------------


class MentorProfileIn(CheckedText):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    position: Text
    mentor_type: Code
    forms: list[Code] = Field(default_factory=list, max_length=20)
    subjects: list[Text] = Field(default_factory=list, max_length=50)
    employer: str | None = Field(default=None, max_length=500)


class SubmitMentorApplication(Command):
    allowed_roles = _CURATOR
    organization_id: UUID
    person: PersonIn
    profile: MentorProfileIn
    capacity: Annotated[int, Field(ge=1, le=100)] | None = None
    applied_on: date


class ApproveMentor(Command):
    mentor_id: UUID
    effective_date: date


class RejectMentor(Command):
    mentor_id: UUID
    reason: Reason


class UpdateMentorProfile(Command):
    allowed_roles = _CURATOR
    mentor_id: UUID
    person: PersonIn
    profile: MentorProfileIn
    capacity: Annotated[int, Field(ge=1, le=100)] | None = None


class GiveConsent(Command):
    allowed_roles = _CURATOR
    mentor_id: UUID
    fields: list[Code] = Field(min_length=1, max_length=10)
    document: DocumentIn | None = None
    effective_date: date


class WithdrawConsent(Command):
    allowed_roles = _CURATOR
    mentor_id: UUID
    effective_date: date | None = None


class SuspendMentor(Command):
    mentor_id: UUID
    reason: Reason
    effective_date: date
    end_pairs: bool = False  # dissolve the mentor's running pairs on that date, with the reason


class RemoveMentor(Command):
    mentor_id: UUID
    reason: Reason
    effective_date: date
    end_pairs: bool = False  # dissolve the mentor's running pairs on that date, with the reason


class ReinstateMentor(Command):
    mentor_id: UUID
    reason: Reason
    effective_date: date


class _TrainingFields(Command):
    mentor_id: UUID
    course: Text
    provider: Text
    hours: Annotated[int, Field(ge=1, le=10_000)] | None = None
    completed_on: date
    certificate_number: str | None = Field(default=None, max_length=100)


class RecordTraining(_TrainingFields):
    pass


class CorrectTraining(_TrainingFields):
    training_id: Text
    reason: Reason


# -- mentees, pairs, programs ----------------------------------------------------------------


class _MenteeDetails(Command):
    allowed_roles = _CURATOR
    category: MenteeCategory
    person: PersonIn
    birth_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    work_started_on: date | None = None


class RegisterMentee(_MenteeDetails):
    organization_id: UUID
    registered_on: date


class CorrectMentee(_MenteeDetails):
    mentee_id: UUID
    reason: Reason


class MoveMentee(Command):
    """A mentee moves to another organization (перевод) on a date."""

    allowed_roles = _CURATOR
    mentee_id: UUID
    organization_id: UUID
    moved_on: date
    reason: Reason
    end_pairs: bool = False  # dissolve the mentee's running pairs on that date, with the reason


class FormPair(Command):
    allowed_roles = _CURATOR
    organization_id: UUID
    mentor_id: UUID
    mentee_ids: list[UUID] = Field(min_length=1, max_length=50)
    form: Code
    kind: Code | None = None
    program_id: UUID | None = None
    started_on: date


class AddMenteeToPair(Command):
    allowed_roles = _CURATOR
    pair_id: UUID
    mentee_id: UUID
    joined_on: date


class CompletePair(Command):
    allowed_roles = _CURATOR
    pair_id: UUID
    ended_on: date
    outcome: Text


class DissolvePair(Command):
    allowed_roles = _CURATOR
    pair_id: UUID
    ended_on: date
    reason: Reason


class CorrectPairStart(Command):
    allowed_roles = _CURATOR
    pair_id: UUID
    started_on: date
    reason: Reason


class TransferPair(Command):
    """The pair passes to another mentor on a date; the mentees stay in it."""

    allowed_roles = _CURATOR
    pair_id: UUID
    mentor_id: UUID
    transferred_on: date
    reason: Reason


class AdoptProgram(Command):
    allowed_roles = _CURATOR
    organization_id: UUID
    title: Text
    forms: list[Code] = Field(default_factory=list, max_length=20)
    starts_on: date
    ends_on: date | None = None
    order: DocumentIn | None = None
    personalized: bool = False


class RecordProgramOutput(Command):
    allowed_roles = _CURATOR
    program_id: UUID
    kind: Code
    title: Text
    produced_on: date
    evidence_link: str | None = Field(default=None, max_length=1000)
    pair_id: UUID | None = None


class RetractProgramOutput(Command):
    allowed_roles = _CURATOR
    program_id: UUID
    output_id: Text
    reason: Reason


# -- monitoring rounds (registry/rounds.py) ------------------------------------------------------

_COORDINATORS = frozenset({Role.ADMIN, Role.MUNICIPAL})
Email = Annotated[str, Field(max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")]


class OpenMonitoringRound(Command):
    """The institute opens a round for the region; a municipal coordinator for its municipality."""

    allowed_roles = _COORDINATORS
    title: Text
    year: Year
    asked: list[Annotated[str, Field(pattern=r"^(contingent|checklist|outputs|pairs)$")]] = Field(
        min_length=1, max_length=4
    )
    checklist_items: list[Code] = Field(default_factory=list, max_length=50)
    organization_kinds: list[OrganizationKind] = Field(min_length=1, max_length=3)
    municipality_id: UUID | None = None
    opened_on: date
    due_on: date
    time_zone: str = Field(default="Europe/Moscow", min_length=1, max_length=64)
    reminders_to: list[Email] = Field(default_factory=list, max_length=20)


class CloseMonitoringRound(Command):
    allowed_roles = _COORDINATORS
    round_id: UUID
    closed_on: date


class PlanRoadmapItem(Command):
    """A checklist item with its deadline in the roadmap of the region (no municipality) or a municipality."""

    allowed_roles = _COORDINATORS
    item: Code
    municipality_id: UUID | None = None
    due_on: date
    responsible: Text
    document_kind: DocumentKind
    reason: str | None = Field(default=None, max_length=2000)


class DropRoadmapItem(Command):
    allowed_roles = _COORDINATORS
    item: Code
    municipality_id: UUID | None = None
    reason: Reason


class RecordPairFeedback(Command):
    """A questionnaire of a completed pair (satisfaction scales 1–10): the mentor's or a mentee's."""

    allowed_roles = _CURATOR
    pair_id: UUID
    respondent: Annotated[str, Field(pattern=r"^(mentor|mentee)$")]
    mentee_id: UUID | None = None
    answered_on: date
    scores: dict[Code, Annotated[int, Field(ge=1, le=10)]] = Field(min_length=1, max_length=20)


# -- users ------------------------------------------------------------------------------------


class UserRole(StrEnum):
    """Roles a person can be given; `system` is the registry's own and cannot be granted."""

    ADMIN = "admin"
    MUNICIPAL = "municipal"
    CURATOR = "curator"
    AUDITOR = "auditor"


class AddUser(Command):
    """Grant access. The token itself never enters the log: only its SHA-256 does."""

    name: Text
    role: UserRole
    organization_id: UUID | None = None
    municipality_id: UUID | None = None
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    def payload_sha256(self) -> str:
        # A retried grant generates a new token; it is still the same grant.
        payload = self.model_dump(mode="json", exclude={"command_id", "token_sha256"})
        body = json.dumps([type(self).__name__, payload], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


class RevokeUser(Command):
    user_id: UUID
    reason: Reason


class SetUserPassword(Command):
    """Record that a user's sign-in password was set: by the user (their own) or reset by an admin.

    The password and its hash never enter the command: the staff credentials table keeps them.
    """

    allowed_roles = frozenset({Role.ADMIN, Role.MUNICIPAL, Role.CURATOR, Role.AUDITOR})
    user_id: UUID


class ErasePersonalData(Command):
    """Erase a mentor's or mentee's personal data (152-ФЗ): their key is destroyed, counts stay."""

    person_id: UUID
    reason: Reason


def _concrete(base: type[Command]) -> list[type[Command]]:
    found = []
    for sub in base.__subclasses__():
        if not sub.__name__.startswith("_"):
            found.append(sub)
        found.extend(_concrete(sub))
    return found


#: Every command a user can send, in definition order.
ALL_COMMANDS: tuple[type[Command], ...] = tuple(_concrete(Command))
