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

console = Console(stderr=True)

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


def rebuild_command(batch_size: BatchSize = 500, log_format: LogFormat = None) -> None:
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
    from projections.projector import Projector
    from projections.store import open_view_store

    settings = load_settings(log_format)
    registry = registry_from_settings(settings)
    try:
        projector = Projector(registry, open_view_store(registry), batch_size=batch_size)
        if not follow:
            applied = projector.catch_up()
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
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="region[:имя], municipality:<id|имя> или organization:<id|имя>"),
    ] = None,
    school_year: Annotated[
        bool, typer.Option("--school-year", help="Годы — учебные (1 сентября – 31 августа)")
    ] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="html, xlsx, csv или json")] = None,
    position: Annotated[
        int | None,
        typer.Option("--position", min=0, help="Рассчитать по журналу до этой позиции включительно"),
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """The dynamics report (аналитическая справка): two periods side by side."""
    from projections.facts import load_facts
    from projections.formats import render
    from projections.periods import Period
    from projections.projector import Projector, project_until
    from projections.report import dynamics_report
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
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    store: Any = None
    try:
        if position is None:
            store = open_view_store(registry)
            Projector(registry, store).catch_up()  # the report reflects everything recorded
        else:
            if position > registry.position():
                console.print(
                    f"[red]Позиция {position} ещё не записана "
                    f"(журнал на позиции {registry.position()})[/red]"
                )
                raise typer.Exit(2)
            store = project_until(registry, position)
        facts = load_facts(store)
        try:
            scope = facts.find_unit(unit) if unit else None
        except LookupError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        report = dynamics_report(facts, period_a, period_b, scope=scope)
        output.write_bytes(render(report, chosen))
        console.print(
            f"Справка «{period_a.label} — {period_b.label}» записана в {output} "
            f"(формат {chosen}, позиция журнала {facts.position})."
        )
    finally:
        if store is not None and position is not None:
            store.close()
        registry.close()
