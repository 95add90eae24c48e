"""Importing a file: all of it or none of it, and nothing twice.

How "all or nothing" holds, although one transaction holds at most one batch of commands:

1. Every row is read, its names resolved (organizations by name, INN or id; mentors and mentees
   by full name within their organization...) and every command it asks for is validated with
   `parse_command` — the same pydantic commands the API takes. All problems are collected.
2. Dry run: every row's commands are decided in file order, by the same actor, in one rehearsal
   batch on the registry as it is (`RegistryBatch(rehearsal=True)`: decided like a batch, never
   recorded). Domain rules (a mentor not in the registry, a pair beyond capacity, a date in the
   future, a contingent already reported...) refuse a row exactly as they would for real; the
   refusal is noted, the row undone, and the dry run goes on with the next row, so that all
   errors of the file are reported at once. It costs what the rows touch, not the size of the
   log. Steps 1 and 2 go a row at a time (planned, then rehearsed), and what stays of a checked
   row is its first command id and, up to KEPT_EVENTS in all, its events: beyond that a
   50,000-row workbook is checked in flat memory.
3. Only when neither step found an error is the file written, and as the check decided it: the
   dry run keeps the events of every row it accepted, and they are recorded as they are, in
   chunks of whole rows (`Registry.save_events`: one transaction each, with their command
   records, keys and leaves), while the log is as the check read it — nobody else has written
   since. Once somebody has (or the file decided more than KEPT_EVENTS events, too many to
   hold), the rows left are decided again on the real registry, in the same order, in batches
   of whole rows (`Registry.batch`); each row is planned again from the table and must come to
   the command ids the check saw. What can still refuse a row then is that other change;
   nothing of that row's batch is recorded, the import stops there and says how many rows are
   in. Importing the same file again completes it without recording anything twice (below).

Idempotent by content: each command's `command_id` is a hash of the kind of file and the row's
normalized content (the resolved command payloads) plus the step name, so a row imported before is
answered by the registry from its command record (`replayed`) and records nothing. A corrected row
has other content, hence other ids. A row describing something already in the registry but not
recorded by that very row (a mentor entered through the web, say) is skipped with a warning.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from ops.importing.cells import column_letter, text
from ops.importing.columns import Kind
from ops.importing.directory import Directory
from ops.importing.error_copy import default_path, write_error_copy
from ops.importing.reading import read_grids
from ops.importing.row_decisions import (
    BATCH_COMMANDS,
    BATCH_EVENTS,
    DecidedRow,
    chunks,
    command_ids,
    fill,
    run_row,
)
from ops.importing.rows import RowPlan, build_row
from ops.importing.table import DataRow, Table, locate
from registry.application import CommandResult, Registry
from registry.batch import RegistryBatch
from registry.errors import InvalidCommand, RegistryError
from registry.idempotency import command_record_id
from registry.validation import parse_command
from registry.values import Actor, Role

IMPORT_ACTOR = Actor(user_id="import", role=Role.ADMIN)
log = structlog.get_logger("reestr.import")
#: The check keeps the events it decided, to record them as they are, up to this many; a bigger
#: file is decided again row by row when written (memory stays flat).
KEPT_EVENTS = 100_000
#: Rows planned ahead of the dry run, their command ids looked up in one statement.
LOOKUP_ROWS = 200
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: How a refusal names a pair for people (registry/intervals.named_pairs): its id's first 8 digits.
_SHORT_PAIR = re.compile(r"пара ([0-9a-f]{8}) с ")
#: progress(phase, done, total); phases: "check" (the dry run) and "write"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Issue:
    """One problem, where people will look for it."""

    row: int
    column: str | None  # column key of the kind
    message: str
    header: str | None = None
    letter: str | None = None

    def where(self) -> str:
        if self.header is None:
            return f"Строка {self.row}"
        letter = f" ({self.letter})" if self.letter else ""
        return f"Строка {self.row}, столбец «{self.header}»{letter}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


@dataclass
class ImportReport:
    file: Path
    kind: Kind
    rows: int = 0
    recorded_rows: int = 0
    present_rows: int = 0  # recorded by an earlier import of the same content
    skipped_rows: int = 0  # describe what the registry holds already, or repeat a row of the file
    events: int = 0  # recorded (or, in a dry run, that would be)
    dry_run: bool = False
    errors: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    error_copy: Path | None = None
    interrupted: bool = False  # the real run stopped part-way (see the module's docstring)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


class _Importer:
    def __init__(self, registry: Registry, table: Table, actor: Actor, progress: Progress | None):
        self.registry = registry
        self.table = table
        self.kind = table.kind
        self.actor = actor
        self.progress = progress
        self.report = ImportReport(file=table.grid.source, kind=table.kind, rows=len(table.rows),
                                   ignored_columns=list(table.ignored))
        self.issues: dict[tuple[int, str | None, str], Issue] = {}
        self.new_ids: set[str] = set()  # command ids the dry run found unrecorded
        self.checked: dict[int, str] = {}  # row number -> its first command id, for the rows to write
        # The check's decisions, to be recorded as decided: the rehearsal (keeping its events),
        # the log position it read, and per checked row its span of the events and its results.
        self.rehearsal: RegistryBatch | None = None
        self.checked_at = -1
        self.decided: list[DecidedRow] = []
        self.row_of: dict[UUID, int] = {}  # aggregate id -> the row of this file that made it
        # Looked up once: every problem names its column by the header cell above it.
        self._header_cells: list[Any] = next(
            (cells for number, cells in table.grid.rows if number == table.header_row), []
        )

    def problem(self, row: int, column: str | None, message: str) -> None:
        message = self._rows_named(message)
        index = self.table.column_index(column)
        header: str | None = self.kind.column(column).title if column else None
        if index is not None:
            header = text(self._header_cell(index)) or header
        issue = Issue(row, column, message, header, column_letter(index + 1) if index is not None else None)
        self.issues.setdefault((row, column, message), issue)

    def _rows_named(self, message: str) -> str:
        """A refusal naming a pair (or anything) an earlier row of this file makes: say which row."""
        named = set(_UUID.findall(message)) | set(_SHORT_PAIR.findall(message))
        rows = sorted({row for made, row in self.row_of.items() if any(str(made).startswith(n) for n in named)})
        if not rows:
            return message
        return f"{message} — из строки {', '.join(map(str, rows))} этого файла"

    def _header_cell(self, index: int) -> Any:
        cells = self._header_cells
        return cells[index] if index < len(cells) else None

    # -- 1 and 2. reading, validating and rehearsing, a row at a time ---------------------------

    def run(self, dry_run: bool) -> None:
        """Check every row (steps 1 and 2), then, if the file is clean and it is no dry run, write it.

        Rows stream through: each is planned and rehearsed before the next is read, and what stays
        of a checked row is its first command id — the write plans it again from the table and
        must arrive at the same commands (memory stays flat for a 50,000-row workbook)."""
        header_row = self.table.header_row
        for missing in self.table.missing:
            title = self.kind.column(missing).title
            self.issues[(header_row, missing, title)] = Issue(
                header_row, missing, f"Нет обязательного столбца «{title}»",
                header=None, letter=None,
            )
        if self.table.missing:
            return
        if not self.table.rows:
            self.issues[(header_row, None, "no rows")] = Issue(
                header_row, None, "Под строкой заголовков нет ни одной строки с данными: файл не импортирован"
            )
            return
        source = self.report.file.name
        self.checked_at = self.registry.position()  # before anything the check reads
        with Directory(self.registry) as directory:
            # The copy's command logs say they are a rehearsal (structlog merges context variables).
            with structlog.contextvars.bound_contextvars(import_file=source, dry_run=True):
                self._check(directory)  # also after parse errors: all of the file's errors at once
            if not self.issues and not dry_run:
                with structlog.contextvars.bound_contextvars(import_file=source):
                    self.write(directory)

    def _check(self, directory: Directory) -> None:
        first_of: dict[tuple[Any, ...], tuple[int, str]] = {}
        total = len(self.table.rows)
        window: list[tuple[int, tuple[RowPlan, list[str]] | None]] = []  # (rows read, planned)
        for done, row in enumerate(self.table.rows, start=1):
            window.append((done, self._plan_row(row, directory, first_of)))
            if len(window) < LOOKUP_ROWS and done < total:
                continue
            # The window's command ids looked up together: those unrecorded are not looked up
            # again one by one as their commands are decided.
            new = frozenset(self.registry.unrecorded_commands(
                [i for _, planned in window if planned is not None for i in planned[1]]))
            for read, planned in window:
                if planned is not None:
                    if self.rehearsal is None:
                        self.rehearsal = RegistryBatch(self.registry, max_commands=sys.maxsize,
                                                       max_events=sys.maxsize, rehearsal=True, keeping=True)
                    self._rehearse(self.rehearsal, *planned, new)
                self._tick("check", read, total)
            window = []

    def _planned(
        self, row: DataRow, directory: Directory, *, validate: bool = True
    ) -> tuple[RowPlan, list[str]]:
        """The row's commands and their ids; `validate`: each command checked (problems in the plan)."""
        plan = build_row(self.kind, row, directory)
        if validate and not plan.problems:
            for step in plan.steps:
                try:
                    parse_command(step.command, fill(step.data, None))
                except InvalidCommand as error:
                    plan.problems.extend((step.column_of(p.field), p.message) for p in error.problems)
        return plan, (command_ids(self.kind, plan) if not plan.problems else [])

    def _plan_row(
        self, row: DataRow, directory: Directory, first_of: dict[tuple[Any, ...], tuple[int, str]]
    ) -> tuple[RowPlan, list[str]] | None:
        """A row to rehearse, or None: its problems noted, or skipped with a warning."""
        plan, ids = self._planned(row, directory)
        for column_key, message in plan.problems:
            self.problem(plan.number, column_key, message)
        if plan.problems:
            return None
        if plan.natural_key is not None and plan.natural_key in first_of:
            earlier, earlier_id = first_of[plan.natural_key]
            if earlier_id == ids[0]:  # the ids hash the row's whole content: the same row again
                self.report.skipped_rows += 1
                self.report.warnings.append(f"Строка {plan.number} повторяет строку {earlier} — учтена один раз")
            else:
                self.problem(plan.number, plan.steps[0].anchor,
                             f"{plan.described.capitalize()} уже есть в строке {earlier} с другими данными: "
                             "оставьте одну строку")
            return None
        if plan.natural_key is not None:
            first_of[plan.natural_key] = (plan.number, ids[0])
        if plan.existing is not None and command_record_id(ids[0]) not in self.registry.repository:
            self.report.skipped_rows += 1
            self.report.warnings.append(
                f"Строка {plan.number}: {plan.described} уже есть в реестре (запись сделана не по "
                "этой строке) — строка пропущена; изменения вносятся в карточке"
            )
            return None
        return plan, ids

    def _rehearse(self, rehearsal: RegistryBatch, plan: RowPlan, ids: list[str], new: frozenset[str]) -> None:
        rehearsal.mark()
        start = rehearsal.events
        results, refusal = run_row(rehearsal, plan, ids, self.actor, new)
        for column_key, message in refusal:
            self.problem(plan.number, column_key, message)
        if refusal:
            rehearsal.undo()  # a refused row leaves nothing for the rows after it
            return
        self._count(results)
        if rehearsal.keeping:
            self.decided.append(DecidedRow(plan.number, start, rehearsal.events, len(results),
                                            all(r.replayed for r in results)))
            if rehearsal.events > KEPT_EVENTS:
                rehearsal.stop_keeping()
                self.decided.clear()
        self.new_ids.update(r.command_id for r in results if not r.replayed)
        for result in results:
            if result.aggregate_id is not None:
                self.row_of.setdefault(result.aggregate_id, plan.number)
        self.checked[plan.number] = ids[0]

    def _count(self, results: list[CommandResult]) -> None:
        self._tally(all(r.replayed for r in results), sum(r.events for r in results))

    def _tally(self, replayed: bool, events: int) -> None:
        """A row in the report: present already (every command replayed), or recorded with its events."""
        if replayed:
            self.report.present_rows += 1
        else:
            self.report.recorded_rows += 1
            self.report.events += events

    def _tick(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None and (done % 50 == 0 or done == total):
            self.progress(phase, done, total)

    # -- 3. for real ----------------------------------------------------------------------------

    def write(self, directory: Directory) -> None:
        self.report.recorded_rows = self.report.present_rows = self.report.events = 0
        recorded = self._record_decided()
        self.rehearsal = None
        self.decided = []
        if len(recorded) < len(self.checked):
            self._decide_and_write(directory, recorded)

    def _record_decided(self) -> set[int]:
        """Record what the check decided, as it decided it, in chunks of whole rows, while the
        log is as the check read it (nobody else wrote since); the rows recorded.

        Each chunk is one transaction (`Registry.save_events`: the command records, keys and
        leaves with the events). Once the log has moved (another writer), the rows left are
        decided again (`_decide_and_write`), so no decision is recorded on a state it was not
        made on."""
        recorded: set[int] = set()
        if self.rehearsal is None or not self.rehearsal.keeping or not self.decided:
            return recorded
        events = self.rehearsal.kept_events()
        expected = self.checked_at
        total, done = len(self.checked), 0
        for chunk in chunks(self.decided):
            if self.registry.position() != expected:
                break
            try:
                recordings = self.registry.save_events(events[chunk[0].start:chunk[-1].end])
            except IntegrityError:
                break  # another writer got there first: decided again, refused with its reason
            if recordings:
                expected = recordings[-1].notification.id
                log.info("import_rows_recorded", rows=len(chunk), events=len(recordings), position=expected)
            for row in chunk:
                recorded.add(row.number)
                self._tally(row.replayed, row.end - row.start)
            done += len(chunk)
            if self.progress is not None:
                self.progress("write", done, total)
        return recorded

    def _decide_and_write(self, directory: Directory, recorded: set[int]) -> None:
        # Rows go in batches of whole rows, each batch one transaction (Registry.batch): a refusal
        # records nothing of its batch, and the rows of the batches before it stay recorded.
        known_new = frozenset(self.new_ids)
        self.new_ids.clear()
        batch = self.registry.batch()
        rows: list[tuple[RowPlan, list[CommandResult]]] = []
        total = len(self.checked)
        done = len(recorded)
        for row in self.table.rows:
            checked = self.checked.get(row.number)
            if checked is None or row.number in recorded:
                # skipped by the check (a repeated row, or one the registry holds already), or
                # recorded already as the check decided it
                continue
            done += 1
            # Planned again, against the directory the check used: the same row, the same commands.
            plan, ids = self._planned(row, directory, validate=False)  # checked: executing validates
            if ids[:1] != [checked]:
                self._interrupted(plan, [(plan.steps[0].anchor if plan.steps else None,
                                          "Строка читается иначе, чем при проверке")])
                return
            results, refusal = run_row(batch, plan, ids, self.actor, known_new)
            if refusal:
                self._interrupted(plan, refusal)
                return
            rows.append((plan, results))
            if batch.commands >= BATCH_COMMANDS or batch.events >= BATCH_EVENTS or done == total:
                try:
                    batch.commit()
                except RegistryError as error:  # another writer changed an aggregate meanwhile
                    self._interrupted(rows[0][0], refusal(rows[0][0].steps[0], error))
                    return
                for _, committed in rows:
                    self._count(committed)
                if self.progress is not None:
                    self.progress("write", done, total)
                batch, rows = self.registry.batch(), []

    def _interrupted(self, plan: RowPlan, refusal: list[tuple[str | None, str]]) -> None:
        self.report.interrupted = True
        for column_key, message in refusal:
            self.problem(plan.number, column_key, message + (
                f" (реестр изменился после проверки; записано строк: {self.report.recorded_rows}. "
                "Исправьте и импортируйте тот же файл снова — записанное не повторится)"
            ))

def import_file(
    registry: Registry,
    path: Path,
    *,
    kind: str | None = None,
    actor: Actor = IMPORT_ACTOR,
    dry_run: bool = False,
    error_copy: Path | None = None,
    write_errors: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Import an XLSX or CSV file (see the module docstring). Raises `FileProblem` if the file
    cannot be read as a table at all; row errors are in the report, and in the error copy."""
    started = time.perf_counter()
    table = locate(read_grids(Path(path)), kind)
    importer = _Importer(registry, table, actor, progress)
    report = importer.report
    report.dry_run = dry_run
    importer.run(dry_run)

    def cell_of(issue: Issue) -> int | None:
        """The column an issue is marked on; a missing column's, just after the headers."""
        if issue.column in table.missing and issue.row == table.header_row:
            return table.header_width + table.missing.index(issue.column)
        return table.column_index(issue.column)

    def order(issue: Issue) -> tuple[int, int]:
        index = cell_of(issue)
        return issue.row, -1 if index is None else index

    report.errors = sorted(importer.issues.values(), key=order)
    if report.errors and write_errors:
        cells = [(i.row, cell_of(i), i.where(), i.message) for i in report.errors]
        report.error_copy = write_error_copy(table, cells, error_copy or default_path(Path(path)))
    report.seconds = round(time.perf_counter() - started, 2)
    return report
