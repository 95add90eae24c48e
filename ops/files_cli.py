"""CLI for data in and out as files: `template`, `import`, `export-log`, `restore` (wired in `ops.cli`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, ClassVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ops.runtime import LogFormat, cipher_key_of, load_settings, registry_from_settings

console = Console(stderr=True, soft_wrap=True)  # paths and messages stay whole lines
#: Reports (what a command found or did) go to standard output: `reestr import f.xlsx > отчёт.txt`.
report_out = Console(soft_wrap=True, highlight=False)

#: Files with at least this many rows get a progress bar.
PROGRESS_FROM_ROWS = 200

KIND_HELP = (
    "Вид данных: municipalities (муниципалитеты), organizations (организации), contingents "
    "(контингент), mentors (база наставников), mentees (база наставляемых), pairs (пары и группы), "
    "trainings (обучение наставников), programs (программы), outputs (продукты)"
)


def _quiet(settings) -> None:  # type: ignore[no-untyped-def]
    """Thousands of command lines tell a person nothing during bulk work; the summary does."""
    from ops.logs import configure_logging

    configure_logging("warning", settings.log_format)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console,
    )


class _LazyProgress:
    """A progress bar that appears only for big files (it is told the row count on first call)."""

    NAMES: ClassVar[dict[str, str]] = {"check": "Проверка строк", "write": "Запись в реестр"}

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def update(self, phase: str, done: int, total: int) -> None:
        if self.progress is None:
            if total < PROGRESS_FROM_ROWS:
                return
            self.progress = _progress()
            self.progress.start()
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(self.NAMES.get(phase, phase), total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# -- template -------------------------------------------------------------------------------------


def template_command(
    kind: Annotated[str, typer.Argument(help=KIND_HELP, show_default=False)],
    output: Annotated[Path, typer.Option("-o", "--output", help="Куда записать шаблон (.xlsx)")],
    log_format: LogFormat = None,
) -> None:
    """Записать шаблон для импорта: русские заголовки, строка подсказок, списки значений из реестра."""
    from ops.importing.columns import kind_named
    from ops.templates import write_template

    if kind_named(kind) is None:
        console.print(f"[red]Неизвестный вид данных «{kind}».[/red] {KIND_HELP}")
        raise typer.Exit(2)
    if output.suffix.lower() != ".xlsx":
        console.print("[red]Шаблон записывается в формате .xlsx: укажите файл с расширением .xlsx[/red]")
        raise typer.Exit(2)
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        path = write_template(registry, kind, output)
    finally:
        registry.close()
    console.print(f"Шаблон записан: {path}")


# -- import ---------------------------------------------------------------------------------------


def import_command(
    file: Annotated[Path, typer.Argument(help="Файл .xlsx или .csv (UTF-8 или Windows-1251, «;» или «,»)",
                                         show_default=False)],
    kind: Annotated[str | None, typer.Option("--kind", help=KIND_HELP + ". По умолчанию — по заголовкам")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Только проверить: ничего не записывать")] = False,
    as_curator: Annotated[
        str | None,
        typer.Option("--as-curator", help="Импортировать от имени куратора организации (название, ИНН или id); "
                                          "по умолчанию — от имени регионального института"),
    ] = None,
    errors_out: Annotated[
        Path | None, typer.Option("--errors", help="Куда записать копию файла с ошибками (по умолчанию ИМЯ.ошибки.xlsx)")
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """Импортировать файл: всё или ничего; повторный импорт того же файла ничего не записывает."""
    from ops.importing import IMPORT_ACTOR, FileProblem, import_file
    from ops.importing.directory import Directory
    from registry.values import Actor, Role

    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    bar = _LazyProgress()
    try:
        actor = IMPORT_ACTOR
        if as_curator:
            try:
                with Directory(registry) as directory:
                    organization_id = directory.organization(as_curator)
            except ValueError as error:
                console.print(f"[red]--as-curator: {error}[/red]")
                raise typer.Exit(2) from None
            actor = Actor(f"import-curator-{str(organization_id)[:8]}", Role.CURATOR,
                          organization_id=str(organization_id))
        _quiet(settings)
        try:
            result = import_file(registry, file, kind=kind, actor=actor, dry_run=dry_run,
                                 error_copy=errors_out, progress=bar.update)
        except FileProblem as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        finally:
            bar.stop()
    finally:
        registry.close()
    _print_import(result)
    if not result.ok:
        raise typer.Exit(1)


def _print_import(result) -> None:  # type: ignore[no-untyped-def]
    report_out.print(f"Файл {result.file.name}: {result.kind.title}, строк с данными: {result.rows}")
    if result.ignored_columns:
        report_out.print(f"Не распознаны и не учитываются столбцы: {', '.join(result.ignored_columns)}")
    for warning in result.warnings[:20]:
        report_out.print(f"[yellow]{warning}[/yellow]")
    if len(result.warnings) > 20:
        report_out.print(f"[yellow]…и ещё предупреждений: {len(result.warnings) - 20}[/yellow]")
    if result.errors:
        report_out.print(f"[red]Ошибок: {len(result.errors)}.[/red] "
                      + ("Импорт прерван:" if result.interrupted else "Ничего не записано:"))
        for issue in result.errors:
            report_out.print(f"  {issue}")
        if result.error_copy:
            report_out.print(f"Копия файла с пометками у ошибочных ячеек: {result.error_copy}")
        return
    verb = "Будет записано" if result.dry_run else "Записано"
    report_out.print(
        f"{'Проверка пройдена. ' if result.dry_run else ''}{verb} строк: {result.recorded_rows}, событий: "
        f"{result.events}; уже были в реестре (повторный импорт): {result.present_rows}; "
        f"пропущено: {result.skipped_rows}; за {result.seconds:.1f} с."
    )


# -- export-log / restore -------------------------------------------------------------------------


def export_log_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Файл .jsonl (или «-» — в стандартный вывод)")],
    keys: Annotated[
        Path | None,
        typer.Option("--keys", help="Куда записать ключи персональных данных (по умолчанию <файл>.keys)"),
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """Выгрузить весь журнал событий в JSON Lines, в порядке записи (для переноса и архива).

    Рядом пишется файл ключей персональных данных (<файл>.keys): без него персональные данные
    из выгрузки не восстановить, а с ним они читаются — храните его отдельно и как саму базу.
    """
    from ops.log_transfer import export_keys, export_log, keys_path

    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        if str(output) == "-":
            summary = export_log(registry, sys.stdout)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            partial = output.with_name(output.name + ".partial")
            with partial.open("w", encoding="utf-8") as out, _progress() as progress:
                task = progress.add_task("Выгрузка журнала", total=max(registry.position(), 1))
                summary = export_log(
                    registry, out, progress=lambda done, total: progress.update(task, completed=done, total=total)
                )
            partial.replace(output)
        keys_file = keys or (keys_path(output) if str(output) != "-" else None)
        if keys_file is not None:
            keys_file.parent.mkdir(parents=True, exist_ok=True)
            with keys_file.open("w", encoding="utf-8") as out:
                key_count = export_keys(registry, out)
    finally:
        registry.close()
    message = f"Выгружено событий: {summary.events}, позиция журнала {summary.position}, за {summary.seconds:.1f} с."
    if str(output) != "-":
        message += f" → {output}"
    message += (
        f"; ключей персональных данных: {key_count} → {keys_file}"
        if keys_file is not None
        else "; ключи персональных данных не выгружены (укажите --keys)"
    )
    console.print(message)


def restore_command(
    file: Annotated[Path, typer.Argument(help="Файл, выгруженный командой export-log", show_default=False)],
    keys: Annotated[
        Path | None,
        typer.Option("--keys", help="Файл ключей персональных данных (по умолчанию <файл>.keys, если есть)"),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild/--no-rebuild", help="Пересобрать представления после загрузки")
    ] = True,
    log_format: LogFormat = None,
) -> None:
    """Загрузить выгруженный журнал в ПУСТУЮ базу (так переносят реестр с SQLite на PostgreSQL).

    Перенос: остановите реестр, затем

    1) reestr export-log -o журнал.jsonl — с REESTR_DATABASE_URL старой базы (sqlite:///…);

    2) reestr restore журнал.jsonl — с REESTR_DATABASE_URL новой пустой базы (postgresql://…);

    3) оставьте в настройках новый адрес. События, их позиции и все показатели — те же.
    """
    from ops.log_transfer import LogTransferError, open_bare, restore_log
    from ops.storage import StorageConfigError, redacted_url

    settings = load_settings(log_format or "console")
    try:
        registry = open_bare(settings.database_url, settings.database_schema, cipher_key=cipher_key_of(settings))
    except StorageConfigError as error:
        console.print(f"[red]Ошибка настройки базы данных: {error}[/red]")
        raise typer.Exit(2) from None
    except Exception as error:  # noqa: BLE001 - driver errors differ by store; all mean "cannot open it"
        console.print(f"[red]Не удалось открыть базу {redacted_url(settings.database_url)}: {type(error).__name__}: {error}[/red]")
        raise typer.Exit(2) from None
    started = time.perf_counter()
    try:
        _quiet(settings)
        with _progress() as progress:
            task = progress.add_task("Загрузка журнала", total=None)
            summary = restore_log(
                registry, file, keys=keys,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        console.print(
            f"Загружено событий: {summary.events}, позиция журнала {summary.position}"
            + (f" (пропуски нумерации сохранены: {summary.gaps})" if summary.gaps else "")
            + f", за {summary.seconds:.1f} с."
        )
        if rebuild:
            from projections.projector import rebuild as rebuild_views
            from projections.store import open_view_store

            with _progress() as progress:
                task = progress.add_task("Пересборка представлений", total=max(summary.position, 1))
                position = rebuild_views(
                    registry, open_view_store(registry),
                    progress=lambda done, aim: progress.update(task, completed=done, total=max(aim, 1)),
                )
            console.print(f"Представления пересобраны: позиция {position}.")
    except LogTransferError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        registry.close()
    console.print(f"Готово за {time.perf_counter() - started:.1f} с.")

