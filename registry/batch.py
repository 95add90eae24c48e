"""Many commands as one unit of work: decided in order on shared aggregates, recorded in one save.

`Registry.execute` is a batch of one (`single=True`): one way to decide and record, whatever the count.

Each command goes through the same steps as `Registry.execute` (role, idempotency, handler,
CommandRecord), but its aggregates come from the batch's workspace: each is loaded once per batch
and later commands see what earlier ones created or changed. Between batches the aggregates stay
in the registry's batch cache, trusted without a store read while the log shows that nobody else
wrote them (registry/batch_cache.py). The events are gathered command by command, so the log keeps
the commands' order and each event the `meta` of its own command, and saved in one transaction at
`commit`. Nothing is saved before: a refused batch leaves the store as it was, and drops from the
batch cache every aggregate it touched.

One save must stay bounded (a `save` of ~20,000 events hangs on PostgreSQL, see
../shared/notes/eventsourcing-9.5.md), so a batch holds at most MAX_COMMANDS commands and
MAX_EVENTS events; callers cut their work into batches below that.
"""

from __future__ import annotations

import copy
import time
import weakref
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from registry.batch_cache import BatchCache
from registry.commands import Command
from registry.context import CommandContext
from registry.errors import (
    BatchRefused,
    BatchTooLarge,
    Conflict,
    IdempotencyKeyReused,
    NotFound,
    RegistryError,
)
from registry.idempotency import CommandRecord
from registry.reference import ReferenceList, reference_list_id
from registry.values import Actor

if TYPE_CHECKING:
    from registry.application import CommandResult, Registry

log = structlog.get_logger("reestr.registry")

MAX_COMMANDS = 1000
MAX_EVENTS = 5000  # a third of the 15,000 that still saved on PostgreSQL in the notes


class Workspace:
    """The aggregates a batch has loaded or created, each loaded once per batch.

    With the registry's batch cache leased (`cache`), aggregates come from it as they are, not
    copied and not re-read from the store (see registry/batch_cache.py); otherwise, or on a miss,
    from the repository (a fresh copy)."""

    def __init__(self, app: Registry, cache: BatchCache | None = None):
        self._repository = app.repository
        self._cache = cache
        self._aggregates: dict[UUID, Aggregate] = {}
        # Since the last mark: each aggregate touched and its version then (None: not loaded yet),
        # and a copy of each one the batch had before the mark, as it was then.
        self._before: dict[UUID, int | None] | None = None
        self._copies: dict[UUID, Aggregate] = {}

    def get(self, aggregate_id: UUID) -> Any:
        found = self._aggregates.get(aggregate_id)
        if found is None:
            found = self._cache.get(aggregate_id) if self._cache is not None else None
            if found is None:
                found = self._repository.get(aggregate_id)
            self._aggregates[aggregate_id] = found
            if self._before is not None:
                self._before.setdefault(aggregate_id, None)
        elif self._before is not None and aggregate_id not in self._before:
            self._before[aggregate_id] = found.version
            self._copies[aggregate_id] = copy.deepcopy(found)
        return found

    def mark(self) -> None:
        """From here on note the version of each aggregate touched, for `undo`.

        An aggregate the batch already holds is copied when first touched after the mark: what
        a row touches is small, while the events that made the batch's aggregates (to replay them
        instead) would be those of every row before it — a whole file's, in an import's dry run."""
        self._before = {}
        self._copies = {}

    def undo(self) -> None:
        """Put every aggregate changed since the mark back as it was: dropped if loaded or created
        since, else its copy. Aggregates change only by events, so an unchanged version means an
        unchanged aggregate."""
        assert self._before is not None, "undo without a mark"
        for aggregate_id, version in self._before.items():
            if version is None:
                self._aggregates.pop(aggregate_id, None)
            elif self._aggregates[aggregate_id].version != version:
                self._aggregates[aggregate_id] = self._copies[aggregate_id]
        self._before = {}
        self._copies = {}

    def __contains__(self, aggregate_id: UUID) -> bool:
        try:
            self.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def add(self, aggregate: Aggregate) -> None:
        if self._before is not None and aggregate.id not in self._aggregates:
            self._before.setdefault(aggregate.id, None)
        self._aggregates[aggregate.id] = aggregate

    @property
    def aggregates(self) -> list[Aggregate]:
        return list(self._aggregates.values())


class _BatchView:
    """What handlers see as `ctx.app` in a batch: the registry's reads, through the workspace.

    Exactly what handlers use (`repository`, `reference_list`, `keys`, `region_codes`, and the
    `recorder` to list users by topic: the last-admin rule), nothing forwarded blindly."""

    def __init__(self, app: Registry, workspace: Workspace):
        self.repository = workspace
        self.keys = app.keys
        self.recorder = app.recorder

    def region_codes(self) -> list[str]:
        """The codes of the regions registered (stored or earlier in the batch), for a refusal to list."""
        from registry.regions import registered_region_codes

        return registered_region_codes(self.recorder, self.repository)

    def reference_list(self, kind: str) -> ReferenceList:
        try:
            return cast(ReferenceList, self.repository.get(reference_list_id(kind)))
        except AggregateNotFoundError:
            raise NotFound("reference_list", kind, field="list_kind") from None


def _abandon(cache: BatchCache, workspace: Workspace) -> None:
    # The batch decided on the cached aggregates themselves: some may be changed, unrecorded.
    cache.drop(a.id for a in workspace.aggregates)
    cache.release()


class RegistryBatch:
    """An open batch: `execute` decides a command now (its result has no position yet), `commit`
    records them all. After a refusal the batch is spoiled (its aggregates may be half-changed):
    it records nothing and must be dropped — unless it is a rehearsal, which `undo`es back to its
    last `mark` and goes on, and never records anything (an import's dry run)."""

    def __init__(self, app: Registry, *, max_commands: int = MAX_COMMANDS, max_events: int = MAX_EVENTS,
                 rehearsal: bool = False, keeping: bool = False, single: bool = False):
        self.app = app
        self.rehearsal = rehearsal
        #: a rehearsal that keeps the events of every command it did not undo (`kept_events`), so
        #: that what it decided can be recorded as decided (an import's check, then its write)
        self.keeping = rehearsal and keeping
        self.single = single  # `Registry.execute`: one command, its own log lines and wording
        self.max_commands = max_commands
        self.max_events = max_events
        # A rehearsal changes aggregates it never records: it works on copies, never the cache.
        cache = app.batch_cache
        self._cache = cache if not rehearsal and cache.lease() else None  # else another batch has it
        self._workspace = Workspace(app, self._cache)
        if self._cache is not None:
            # Run at commit or refusal, or when a batch left half-way is collected.
            self._finish = weakref.finalize(self, _abandon, cache, self._workspace)
            try:
                self._cache.catch_up(app.recorder)
            except BaseException:
                self._finish()
                raise
        self._view = cast("Registry", _BatchView(app, self._workspace))
        self._events: list[Any] = []
        # What `commit` needs, per command; a rehearsal never commits, so it keeps none of it (an
        # import's dry run decides a whole file in one rehearsal: 50,000 rows' commands add up).
        self._results: list[CommandResult] = []
        self._last_event: list[int] = []  # per command: index of its last event in the batch, -1: none
        self._decided: list[tuple[Command, Actor]] = []
        self._count = 0  # commands decided
        self._seen: dict[str, tuple[str, CommandResult]] = {}  # command id -> (payload hash, first result)
        self._seen_since_mark: list[str] = []  # a rehearsal's command ids first seen since its mark
        self._spoiled: BaseException | None = None
        self._committed = False
        self._started = time.perf_counter()
        self._mark = (0, 0)  # commands and events at the last mark

    @property
    def commands(self) -> int:
        return self._count

    @property
    def events(self) -> int:
        """Events decided (in a rehearsal: since its last mark, unless it is keeping them)."""
        return len(self._events)

    def mark(self) -> None:
        """A rehearsal's point to come back to (before an import's row)."""
        assert self.rehearsal, "only a rehearsal goes back"
        self._workspace.mark()
        if not self.keeping:
            # The events before the mark are never recorded, nor needed to undo (copies are): let go.
            self._events.clear()
        self._mark = (self._count, len(self._events))
        self._seen_since_mark = []

    def kept_events(self) -> list[Any]:
        """A keeping rehearsal's events, in the order decided: to be recorded with
        `Registry.save_events` only while the log is as the rehearsal read it."""
        assert self.keeping, "only a keeping rehearsal keeps its events"
        return self._events

    def stop_keeping(self) -> None:
        """Let the kept events go (too many to hold): what was decided will be decided again."""
        self.keeping = False
        del self._events[: self._mark[1]]
        self._mark = (self._mark[0], 0)

    def undo(self) -> None:
        """Back to the last mark, as if nothing since had been decided; the rehearsal goes on."""
        assert self.rehearsal, "only a rehearsal goes back"
        commands, events = self._mark
        self._workspace.undo()
        for command_id in self._seen_since_mark:
            del self._seen[command_id]
        self._seen_since_mark = []
        self._count = commands
        del self._events[events:]
        self._spoiled = None

    def execute(self, command: Command, actor: Actor, *, known_new: bool = False) -> CommandResult:
        """Decide one command in the batch; raise its RegistryError (the batch is then spoiled).

        `known_new`: the caller has just seen this command id unrecorded (an import's dry run),
        so it is not looked up again; one recorded since makes the commit conflict."""
        self._require_open()
        if self._count >= self.max_commands:
            raise BatchTooLarge(f"В пакете не больше {self.max_commands} команд: разделите его")
        try:
            result = self._decide(command, actor, known_new)
        except BaseException as error:
            self._spoil(error)
            raise
        if len(self._events) > self.max_events:
            too_large = BatchTooLarge(
                f"Пакет превысил {self.max_events} событий на команде № {self._count + 1}: "
                "разделите его на пакеты поменьше"
            )
            self._spoil(too_large)
            raise too_large
        self._count += 1
        if not self.rehearsal:
            self._results.append(result)
            self._decided.append((command, actor))
            self._last_event.append(len(self._events) - 1)
        return result

    def _decide(self, command: Command, actor: Actor, known_new: bool) -> CommandResult:
        from registry.application import CommandResult

        app = self.app
        app._authorize(command, actor)
        if command.command_id is not None:
            first = self._seen.get(command.command_id)
            if first is not None:
                payload, first_result = first
                if payload != command.payload_sha256():
                    raise IdempotencyKeyReused("Этот идентификатор команды уже использован для другой команды")
                return replace(first_result, events=0, replayed=True)
            earlier = None if known_new else app._earlier_result(command, actor)
            if earlier is not None:
                return earlier
        context = CommandContext(self._view, actor, app.clock())
        command_id, primary, changed = app._decide(command, actor, context)
        # Collect now: this command's events in order, and a clean slate for the next command.
        count = 0
        for aggregate in changed:
            new = aggregate.collect_events()
            self._events.extend(new)
            count += len(new)
            # A command record is read back only through the registry's repository (a replay,
            # `Registry._earlier_result`), never through a batch: neither the workspace nor the
            # batch cache need it, and an import makes one for each of its commands.
            if not isinstance(aggregate, CommandRecord):
                self._workspace.add(aggregate)
        result = CommandResult(
            command_id=command_id,
            aggregate_id=primary.id if primary else None,
            version=primary.version if primary else None,
            position=None,
            events=count,
        )
        if command.command_id is not None:
            self._seen[command.command_id] = (command.payload_sha256(), result)
            if self.rehearsal:
                self._seen_since_mark.append(command.command_id)
        return result

    def commit(self) -> list[CommandResult]:
        """Record every decided command's events in one transaction; their results with positions."""
        self._require_open()
        if self.rehearsal:
            raise RuntimeError("a rehearsal records nothing")
        self._committed = True
        try:
            recordings = self._record()
        except IntegrityError:
            replays = self._replays()
            if replays is not None:
                return replays
            raise Conflict(
                "Данные изменились, пока команда выполнялась: обновите их и повторите" if self.single else
                "Данные изменились, пока пакет команд выполнялся: ничего из пакета не записано, повторите его"
            ) from None
        finally:
            if self._cache is not None and self._finish.alive:
                self._finish.detach()
                self._cache.release()
        if not recordings:
            return list(self._results)
        before: int | None = None
        results = []
        for result, last in zip(self._results, self._last_event, strict=True):
            if result.replayed and result.position is not None:
                results.append(result)
                continue
            if last >= 0:
                position = recordings[last].notification.id
            else:
                before = self.app.position() if before is None else before
                position = before
            results.append(replace(result, position=position))
        if self.single:
            return results
        log.info(
            "batch_recorded",
            commands=len(results),
            events=len(recordings),
            replayed=sum(1 for r in results if r.replayed),
            position=recordings[-1].notification.id,
            duration_ms=round((time.perf_counter() - self._started) * 1000, 2),
        )
        return results

    def _record(self) -> list[Any]:
        if not self._events:
            return []
        try:
            recordings = self.app.save_events(self._events)
        except BaseException:
            if self._cache is not None:
                self._finish()
            raise
        if self._cache is not None:
            self._cache.keep(self._workspace.aggregates, recordings[0].notification.id,
                             recordings[-1].notification.id)
        return recordings

    def _spoil(self, error: BaseException) -> None:
        self._spoiled = error
        if self._cache is not None:
            self._finish()

    def _replays(self) -> list[CommandResult] | None:
        """After a conflict: the first results, if a concurrent delivery recorded every command.

        Through `Registry._earlier_result`, so a replay still answers its own sender (or an admin)
        only, and a reused id with another payload is still refused."""
        if any(command.command_id is None for command, _ in self._decided):
            return None
        replays = []
        for command, actor in self._decided:
            earlier = self.app._earlier_result(command, actor)
            if earlier is None:
                return None
            replays.append(earlier)
        return replays

    def _require_open(self) -> None:
        if self._spoiled is not None:
            raise RuntimeError("a refused batch records nothing: start a new one") from self._spoiled
        if self._committed:
            raise RuntimeError("this batch is committed already")


def run_batch(app: Registry, commands: Sequence[Command], actor: Actor) -> list[CommandResult]:
    """`Registry.execute_batch`: BatchRefused names the refused command's index; BatchTooLarge."""
    if len(commands) > MAX_COMMANDS:
        raise BatchTooLarge(f"В пакете {len(commands)} команд, а можно не больше {MAX_COMMANDS}: разделите его")
    batch = RegistryBatch(app)
    for index, command in enumerate(commands):
        try:
            batch.execute(command, actor)
        except BatchTooLarge:
            raise
        except RegistryError as error:
            log.info("batch_refused", index=index, command=type(command).__name__,
                     outcome=error.code, error=str(error), user_id=actor.user_id)
            raise BatchRefused(index, error) from error
    return batch.commit()
