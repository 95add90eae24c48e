"""CLI of the projections: `reestr rebuild`, `reestr project [--follow]`, `reestr report dynamics`.

The lead wires them into `ops.cli`: `app.command("rebuild")(rebuild_command)`,
`app.command("project")(project_command)`, `app.add_typer(report_app, name="report")`.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from ops.runtime import LogFormat, load_settings, registry_from_settings

console = Console(stderr=True, soft_wrap=True)  # paths and messages stay whole lines

BatchSize = Annotated[
    int,
    typer.Option("--batch-size", min=1, max=5000, help="Событий в одной транзакции представлений"),
]


class RateColumn(ProgressColumn):
    """Events per second, from rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text("— соб./с" if speed is None else f"{speed:,.0f} соб./с".replace(",", " "))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        RateColumn(),
        TimeElapsedColumn(),
        console=console,
    )


RebuildBatchSize = Annotated[
    int,
    typer.Option("--batch-size", min=1, max=50_000, help="Позиций журнала, читаемых за раз при пересборке"),
]


def rebuild_command(batch_size: RebuildBatchSize = 5000, log_format: LogFormat = None) -> None:
    """Rebuild every view from position 0 into fresh tables and swap them in at the end."""
    from projections.projector import rebuild
    from projections.store import open_view_store

    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        store = open_view_store(registry)
        with _progress() as progress:
            task = progress.add_task("Пересборка представлений", total=max(registry.position(), 1))

            def report(done: int, aim: int) -> None:
                progress.update(task, completed=done, total=max(aim, 1))

            position = rebuild(registry, store, batch_size=batch_size, progress=report)
        console.print(
            f"Представления пересобраны с нуля и подключены: позиция журнала {position}."
        )
    finally:
        registry.close()


def project_command(
    follow: Annotated[
        bool, typer.Option("--follow", help="Не завершаться: применять новые события по мере записи")
    ] = False,
    poll_interval: Annotated[
        float, typer.Option("--poll-interval", min=0.05, help="Пауза между опросами журнала, с")
    ] = 0.5,
    batch_size: BatchSize = 500,
    log_format: LogFormat = None,
) -> None:
    """Apply the events recorded since the views' position; with --follow, keep doing it."""
    from projections.listen import wake_up_for
    from projections.projector import ProjectionStalled, Projector
    from projections.store import open_view_store

    settings = load_settings(log_format)
    registry = registry_from_settings(settings)
    try:
        projector = Projector(registry, open_view_store(registry), batch_size=batch_size)
        if not follow:
            try:
                applied = projector.catch_up()
            except ProjectionStalled as stalled:
                console.print(f"[red]{stalled.stall.russian()}[/red]")
                console.print(
                    "Журнал цел, остальное применится, как только это событие будет применимо: "
                    "сообщите разработчикам номер события и причину (reestr doctor покажет отставание)."
                )
                raise typer.Exit(1) from None
            console.print(
                f"Представления обновлены: применено {applied} событий, "
                f"позиция журнала {projector.position}."
            )
            return
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        waker = wake_up_for(registry)
        console.print(f"Слежение за журналом начато с позиции {projector.position} (Ctrl+C — остановить).")
        try:
            projector.follow(stop, poll_interval=poll_interval, wait=waker.wait if waker else None)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if waker:
                waker.close()
        console.print(f"Слежение остановлено на позиции {projector.position}.")
    finally:
        registry.close()


UnitOption = Annotated[
    str | None,
    typer.Option("--unit", help="region[:имя], municipality:<id|имя> или organization:<id|имя>"),
]
PositionOption = Annotated[
    int | None,
    typer.Option("--position", min=0, help="Рассчитать по журналу до этой позиции включительно"),
]

report_app = typer.Typer(help="Отчёты по реестру (аналитическая справка).", no_args_is_help=True)


def _fmt(fmt: str | None, output: Path) -> str:
    from projections.formats import FORMATS

    chosen = (fmt or output.suffix.lstrip(".") or "html").lower()
    if chosen not in FORMATS:
        console.print(f"[red]Неизвестный формат «{chosen}»: нужен один из {', '.join(FORMATS)}[/red]")
        raise typer.Exit(2)
    return chosen


@report_app.command(
    "dynamics", help="Аналитическая справка: два периода рядом (по умолчанию 2020 и 2021 годы)."
)
def dynamics_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Файл справки")],
    from_period: Annotated[
        str, typer.Option("--from", help="Первый период: 2020, 2020/21 или дата 2020-12-31")
    ] = "2020",
    to_period: Annotated[
        str, typer.Option("--to", help="Второй период (с ним сравнивается первый)")
    ] = "2021",
    unit: UnitOption = None,
    school_year: Annotated[
        bool, typer.Option("--school-year", help="Годы — учебные (1 сентября – 31 августа)")
    ] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="html, xlsx, csv или json")] = None,
    position: PositionOption = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            help="Как было известно на момент (ISO: 2021-01-15 — конец дня UTC, 2021-01-15T12:00+03:00)",
        ),
    ] = None,
    compare_known_at: Annotated[
        str | None,
        typer.Option(
            "--compare-known-at",
            help="Добавить значения, известные на момент, рядом с действующими и список исправлений (html, json)",
        ),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", help="Записать манифест воспроизводимости в этот файл (JSON)"),
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """The dynamics report (аналитическая справка): two periods side by side."""
    from projections.as_known import known_at_position, moment_text, parse_moment
    from projections.facts import load_facts
    from projections.formats import render
    from projections.manifest import dynamics_parameters, dynamics_report_at
    from projections.periods import Period
    from projections.projector import Projector, project_until
    from projections.store import open_view_store

    chosen = _fmt(fmt, output)
    try:
        period_a = Period.parse(from_period, school_year=school_year)
        period_b = Period.parse(to_period, school_year=school_year)
    except ValueError:
        console.print(
            f"[red]Период не распознан: «{from_period}» / «{to_period}» "
            "(нужно 2020, 2020/21 или 2020-12-31)[/red]"
        )
        raise typer.Exit(2) from None
    if known_at is not None and position is not None:
        console.print("[red]Укажите что-то одно: --position или --known-at[/red]")
        raise typer.Exit(2)
    if compare_known_at is not None and chosen not in ("html", "json"):
        console.print("[red]Сравнение «как было известно» выводится только в html и json[/red]")
        raise typer.Exit(2)
    try:
        known_moment = parse_moment(known_at) if known_at is not None else None
        compare_moment = parse_moment(compare_known_at) if compare_known_at is not None else None
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    store: Any = None
    live = position is None and known_moment is None
    try:
        if known_moment is not None:
            position = known_at_position(registry, known_moment)
        if live:
            store = open_view_store(registry)
            Projector(registry, store).catch_up()  # the report reflects everything recorded
        else:
            assert position is not None
            if position > registry.position():
                console.print(
                    f"[red]Позиция {position} ещё не записана "
                    f"(журнал на позиции {registry.position()})[/red]"
                )
                raise typer.Exit(2)
            store = project_until(registry, position)
        facts = load_facts(store, [period_a, period_b])  # aggregated for these two periods
        try:
            if unit:
                facts.find_unit(unit)
        except LookupError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        compare_position = (
            known_at_position(registry, compare_moment, upto=facts.position)
            if compare_moment is not None
            else None
        )
        parameters = dynamics_parameters(
            from_period=from_period,
            to_period=to_period,
            school_year=school_year,
            unit=unit,
            fmt=chosen,
            known_at=moment_text(known_moment) if known_moment is not None else None,
            compare_known_at=moment_text(compare_moment) if compare_moment is not None else None,
            compare_position=compare_position,
        )
        report = dynamics_report_at(registry, parameters, facts.position, facts=facts)
        data = render(report, chosen)
        output.write_bytes(data)
        console.print(
            f"Справка «{period_a.label} — {period_b.label}» записана в {output} "
            f"(формат {chosen}, позиция журнала {facts.position})."
        )
        if compare_position is not None:
            console.print(
                f"Рядом — значения, известные на {parameters['compare_known_at']} "
                f"(позиция журнала {compare_position}); исправлений и поздних внесений: "
                f"{len(report['as_known']['changes'])}."
            )
        if manifest is not None:
            _write_manifest(registry, "dynamics", parameters, facts.position, output, data, manifest)
    finally:
        if store is not None and not live:
            store.close()
        registry.close()


def _write_manifest(
    registry: Any, kind: str, parameters: dict[str, Any], position: int, output: Path, data: bytes, path: Path
) -> None:
    from projections.manifest import build_manifest, write_manifest

    document = build_manifest(
        registry, kind=kind, parameters=parameters, position=position, output=output, data=data,
        manifest_path=path,
    )
    write_manifest(document, path)
    console.print(
        f"Манифест записан в {path}: позиция {position}, корень дерева журнала "
        f"{document['merkle_root'][:16]}…, sha256 {document['output']['sha256'][:16]}…"
    )


@report_app.command("indicators", help="Таблица показателей за один период (json или csv).")
def indicators_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Файл таблицы")],
    period: Annotated[str, typer.Option("--period", help="Период: 2021, 2021/22 или дата")] = "2021",
    unit: UnitOption = None,
    school_year: Annotated[
        bool, typer.Option("--school-year", help="Год — учебный (1 сентября – 31 августа)")
    ] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="json или csv")] = None,
    position: PositionOption = None,
    known_at: Annotated[
        str | None, typer.Option("--known-at", help="Как было известно на момент (ISO)")
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option("--manifest", help="Записать манифест воспроизводимости в этот файл (JSON)"),
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """The indicator table of one period, at a position or as known at a moment."""
    from projections.as_known import known_at_position, parse_moment
    from projections.manifest import (
        INDICATOR_TABLE_FORMATS,
        indicator_parameters,
        render_report,
    )

    chosen = (fmt or output.suffix.lstrip(".") or "json").lower()
    if chosen not in INDICATOR_TABLE_FORMATS:
        console.print(f"[red]Таблица показателей пишется только в {', '.join(INDICATOR_TABLE_FORMATS)}[/red]")
        raise typer.Exit(2)
    try:
        from projections.periods import Period

        Period.parse(period, school_year=school_year)
        moment = parse_moment(known_at) if known_at is not None else None
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if moment is not None and position is not None:
        console.print("[red]Укажите что-то одно: --position или --known-at[/red]")
        raise typer.Exit(2)
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        head = registry.position()
        if moment is not None:
            position = known_at_position(registry, moment)
        if position is None:
            position = head
        if position > head:
            console.print(f"[red]Позиция {position} ещё не записана (журнал на позиции {head})[/red]")
            raise typer.Exit(2)
        parameters = indicator_parameters(period=period, school_year=school_year, unit=unit, fmt=chosen)
        try:
            data = render_report(registry, "indicators", parameters, position)
        except LookupError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        output.write_bytes(data)
        console.print(f"Таблица показателей записана в {output} (формат {chosen}, позиция журнала {position}).")
        if manifest is not None:
            _write_manifest(registry, "indicators", parameters, position, output, data, manifest)
    finally:
        registry.close()


@report_app.command("reproduce", help="Пересчитать отчёт по манифесту и сравнить побайтно.")
def reproduce_command(
    manifest: Annotated[Path, typer.Argument(help="Файл манифеста отчёта")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Записать пересчитанный отчёт в этот файл")
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """Recompute a report at its manifest's position; exit 0 if identical, 1 if not."""
    from projections.manifest import ManifestError, read_manifest, reproduce

    try:
        document = read_manifest(manifest)
    except ManifestError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        try:
            result = reproduce(registry, document, manifest.resolve().parent)
        except (ManifestError, LookupError, ValueError) as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        if output is not None:
            output.write_bytes(result.data)
            console.print(f"Пересчитанный отчёт записан в {output}.")
        for note in result.notes:
            console.print(note)
        if result.identical:
            console.print(
                f"Идентичен: отчёт пересчитан на позиции {document['position']}, "
                f"sha256 {result.sha256} совпадает побайтно."
            )
            return
        console.print(f"[red]Не идентичен: отчёт на позиции {document['position']} не совпадает.[/red]")
        for problem in result.problems:
            console.print(f"[red]— {problem}[/red]")
        raise typer.Exit(1)
    finally:
        registry.close()
