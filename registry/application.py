"""The registry application: runs one command at a time, all of it recorded or none of it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    IntegrityError,
    JSONTranscoder,
    Mapper,
    Recording,
    Transcoder,
)

from registry.after_commit import AfterCommit
from registry.base import recording_as
from registry.batch_cache import BatchCache
from registry.commands import Command
from registry.context import CommandContext
from registry.errors import (
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    RegistryError,
)
from registry.handlers import HANDLERS, Handler
from registry.idempotency import CommandRecord, command_record_id
from registry.reference import DEFAULT_LISTS, ReferenceList, reference_list_id
from registry.sealing import (
    KeyChanges,
    MemoryPersonalKeys,
    PersonalKeys,
    SealingMapper,
    erasures_in,
    people_in,
)
from registry.transcodings import RegistryTranscoder, register_registry_transcodings
from registry.values import Actor, EventMeta, Role

if TYPE_CHECKING:
    from registry.batch import RegistryBatch

log = structlog.get_logger("reestr.registry")

A = TypeVar("A", bound=Aggregate)

SYSTEM = Actor(user_id="system", role=Role.SYSTEM)

_ROLE_RU = {
    Role.ADMIN: "администратор",
    Role.MUNICIPAL: "муниципальный координатор",
    Role.CURATOR: "куратор",
    Role.AUDITOR: "аудитор",
    Role.SYSTEM: "система",
}


@dataclass(frozen=True)
class CommandResult:
    """What a command recorded: the aggregate it addressed, its new version, the log position."""

    command_id: str
    aggregate_id: UUID | None
    version: int | None
    position: int | None
    events: int
    replayed: bool = False


def _durable(env: dict[str, str]) -> bool:
    module = env.get("PERSISTENCE_MODULE", "")
    if module.endswith("postgres"):
        return True
    return module.endswith("sqlite") and ":memory:" not in env.get("SQLITE_DBNAME", ":memory:")


class Registry(Application[UUID]):
    """The regional registry of mentors: every fact an event, every command all-or-nothing."""

    name = "registry"
    env = {"AGGREGATE_CACHE_MAXSIZE": "20000"}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], date] = date.today,
        keys: PersonalKeys | None = None,
    ) -> None:
        if keys is None and _durable(env or {}):
            # Keys kept only in memory would leave a durable log's personal data unreadable.
            raise ValueError("a registry on a durable store needs its key table: pass keys=")
        self.keys: PersonalKeys = keys if keys is not None else MemoryPersonalKeys()
        self.batch_cache = BatchCache()
        #: told of every commit (views, caches); registered once by the composition root
        self.after_commit = AfterCommit()
        super().__init__(env)
        self.clock = clock
        self._handlers: dict[type[Command], Handler] = HANDLERS

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=SealingMapper)
        mapper.keys = self.keys  # type: ignore[attr-defined]
        return mapper

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoding, written without a callback per value (same bytes)."""
        transcoder = RegistryTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_registry_transcodings(transcoder, self.keys)

    def save_events(self, events: Sequence[Any]) -> list[Recording[UUID]]:
        """Record one unit of work's events, in their order, in one transaction; then tell the
        after-commit subscribers. The only way events are recorded (`execute` and batches use it).

        In the same transaction, by the store's recorder (ops/unit_of_work.py): the keys new people
        are sealed with, the destruction of erased people's keys, the transparency log's leaves."""
        # Not `save`: it checks every event against the library's runtime protocols, ~30 µs each.
        if not events:
            return []
        changes = KeyChanges(new=self.keys.prepare(people_in(events)), erased=erasures_in(events))
        try:
            recordings = self.events.put(list(events), unit=changes)
        except BaseException:
            self.keys.settle(changes, committed=False)
            raise
        self.keys.settle(changes, committed=True)
        self.after_commit.publish(recordings)
        return recordings

    # -- commands ----------------------------------------------------------------------------

    def execute(self, command: Command, actor: Actor) -> CommandResult:
        """Check, decide and record a command; raise a RegistryError and record nothing if refused."""
        started = time.perf_counter()
        command_type = type(command).__name__
        bound = log.bind(
            command=command_type,
            command_id=command.command_id,
            user_id=actor.user_id,
            role=str(actor.role),
        )
        try:
            result = self._execute(command, actor)
        except Exception as error:
            bound.info(
                "command_refused",
                outcome=getattr(error, "code", type(error).__name__),
                error=str(error),
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            raise
        bound.info(
            "command_replayed" if result.replayed else "command_recorded",
            outcome="replayed" if result.replayed else "recorded",
            aggregate_id=str(result.aggregate_id) if result.aggregate_id else None,
            version=result.version,
            position=result.position,
            events=result.events,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return result

    def execute_batch(self, commands: Sequence[Command], actor: Actor) -> list[CommandResult]:
        """Decide many commands in order as one unit of work, recorded in one transaction or not at all.

        Raises BatchRefused (index and the command's own error) or BatchTooLarge; see registry/batch.py.
        """
        from registry.batch import run_batch  # batch.py builds on this module

        return run_batch(self, commands, actor)

    def batch(self) -> RegistryBatch:
        """An open unit of work, for callers whose later commands need earlier results (ids)."""
        from registry.batch import RegistryBatch

        return RegistryBatch(self)

    def _execute(self, command: Command, actor: Actor) -> CommandResult:
        # A batch of one: the same decision, the same unit of work, as many commands.
        from registry.batch import RegistryBatch

        batch = RegistryBatch(self, single=True)
        try:
            batch.execute(command, actor)
        except RegistryError:
            # A concurrent delivery of this very command may have been recorded meanwhile
            # (it approved the mentor this one finds approved): answer with its result.
            earlier = self._earlier_result(command, actor) if command.command_id is not None else None
            if earlier is not None:
                return earlier
            raise
        result = batch.commit()[0]
        return result if result.position is not None else replace(result, position=self.position())

    def _authorize(self, command: Command, actor: Actor) -> None:
        if actor.role not in command.allowed_roles:
            raise Forbidden(
                f"Роль «{_ROLE_RU.get(actor.role, actor.role)}» не может выполнять это действие"
            )

    def _decide(
        self, command: Command, actor: Actor, context: CommandContext
    ) -> tuple[str, Aggregate | None, list[Aggregate]]:
        """Run the command's handler in `context`: its id, primary aggregate and what changed
        (with its CommandRecord when it carries an id). Nothing is saved here."""
        command_id = command.command_id or uuid.uuid4().hex
        meta = EventMeta(
            user_id=actor.user_id,
            role=str(actor.role),
            command_id=command_id,
            organization_id=actor.organization_id,
            municipality_id=actor.municipality_id,
        )
        with recording_as(meta):
            primary = self._handlers[type(command)](context, command)
            changed = context.changed()
            if command.command_id is not None:
                changed.append(
                    CommandRecord(
                        command_id=command_id,
                        command_type=type(command).__name__,
                        payload_sha256=command.payload_sha256(),
                        aggregate_id=primary.id if primary else None,
                        versions={str(a.id): a.version for a in changed},
                    )
                )
        return command_id, primary, changed

    def unrecorded_commands(self, command_ids: Sequence[str]) -> set[str]:
        """The command ids no command record holds yet, looked up together (an import's rows)
        where the store's recorder can (ops/unit_of_work.py), else one by one."""
        records = {command_record_id(command_id): command_id for command_id in command_ids}
        lookup = getattr(self.recorder, "recorded_originators", None)
        if lookup is not None:
            recorded = lookup(list(records))
        else:
            recorded = {record for record in records if record in self.repository}
        return {command_id for record, command_id in records.items() if record not in recorded}

    def _earlier_result(self, command: Command, actor: Actor) -> CommandResult | None:
        """The first result of this command id, for its own sender (or an admin) only."""
        assert command.command_id is not None
        try:
            record: CommandRecord = self.repository.get(command_record_id(command.command_id))
        except AggregateNotFoundError:
            return None
        if record.payload_sha256 != command.payload_sha256():
            raise IdempotencyKeyReused(
                "Этот идентификатор команды уже использован для другой команды"
            )
        # A replay must not hand one user's result to another who could not have sent it.
        sender = next(iter(self.events.get(record.id, limit=1))).meta.user_id
        if sender != actor.user_id and actor.role != Role.ADMIN:
            raise IdempotencyKeyReused(
                "Этот идентификатор команды уже использован другим пользователем"
            )
        version = record.versions.get(str(record.aggregate_id)) if record.aggregate_id else None
        return CommandResult(
            command_id=record.command_id,
            aggregate_id=record.aggregate_id,
            version=version,
            position=self.position(),
            events=0,
            replayed=True,
        )

    # -- reading ------------------------------------------------------------------------------

    def position(self) -> int:
        """The log position: the highest notification id recorded (PostgreSQL may leave gaps)."""
        return self.recorder.max_notification_id() or 0

    def get(self, cls: type[A], aggregate_id: UUID, *, version: int | None = None) -> A:
        """An aggregate by id (at a version, if given); NotFound if absent or of another kind."""
        try:
            found = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(cls.__name__.lower(), aggregate_id) from None
        if not isinstance(found, cls):
            raise NotFound(cls.__name__.lower(), aggregate_id)
        return found

    def reference_list(self, kind: str) -> ReferenceList:
        try:
            return self.repository.get(reference_list_id(kind))
        except AggregateNotFoundError:
            raise NotFound("reference_list", kind, field="list_kind") from None

    def history(self, aggregate_id: UUID) -> Iterator[Any]:
        """Every stored event of one aggregate, oldest first."""
        self.refresh_keys()
        return self.events.get(aggregate_id)

    def refresh_keys(self) -> bool:
        """Before decrypting: forget the keys another process destroyed since the last look, and
        every aggregate decoded with them. True if someone was erased meanwhile."""
        if not self.keys.refresh():
            return False
        if self.repository.cache is not None:
            self.repository.cache.clear()
        self.batch_cache.clear()
        return True

    # -- set-up -------------------------------------------------------------------------------

    def close(self) -> None:
        super().close()
        self.keys.close()

    def seed_reference_lists(self) -> int:
        """Create the default reference lists a new registry starts with; returns events recorded."""
        created = []
        with recording_as(
            EventMeta(user_id=SYSTEM.user_id, role=str(SYSTEM.role), command_id="seed-reference-lists")
        ):
            for kind, entries in DEFAULT_LISTS.items():
                if reference_list_id(kind) in self.repository:
                    continue
                reference = ReferenceList(kind=kind)
                for code, title in entries:
                    reference.add(code, title)
                created.append(reference)
        if not created:
            return 0
        try:
            return len(self.save_events([e for a in created for e in a.collect_events()]))
        except IntegrityError:
            return 0  # another process seeded the same lists first
