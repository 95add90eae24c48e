"""`reestr`: the command line of the registry (run the server, load the demo, inspect the log)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ops.runtime import LogFormat, load_settings, registry_from_settings
from ops.storage import redacted_url

app = typer.Typer(
    name="reestr",
    help="Реестр наставников: событийный региональный реестр (целевая модель наставничества).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True, soft_wrap=True)  # paths and messages stay whole lines



def _load_demo_with_progress(registry, settings) -> None:  # type: ignore[no-untyped-def]
    from ops.demo import load_demo
    from ops.logs import configure_logging

    # Five thousand command lines tell a person nothing; the summary below does.
    configure_logging("warning", settings.log_format)

    with Progress(
        TextColumn("Загрузка демо-региона"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=console,
    ) as progress:
        task = progress.add_task("demo", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            summary = load_demo(registry, progress=report)
        finally:
            configure_logging(settings.log_level, settings.log_format)
    console.print(
        f"Демо-регион загружен: {summary.organizations} организаций, {summary.mentors} наставников, "
        f"{summary.mentees} наставляемых, {summary.pairs} пар; {summary.events} событий "
        f"за {summary.seconds:.1f} с."
    )


@app.command(help="Загрузить демо-регион (детерминированный, фиксированное зерно) в настроенную базу.")
def demo(log_format: LogFormat = None) -> None:
    """Load the deterministic demo region into the configured store (it must hold no region yet)."""
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        _load_demo_with_progress(registry, settings)
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        registry.close()


@app.command(help="Запустить HTTP-сервер реестра на настроенной базе.")
def serve(
    host: Annotated[str | None, typer.Option(help="Адрес (по умолчанию REESTR_HOST или 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Порт (по умолчанию REESTR_PORT или 8000)")] = None,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Сначала загрузить демо-регион, если база пуста")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Число процессов сервера (каждый со своими соединениями; "
                     "представления общие и догоняются по журналу)"),
    ] = 1,
    log_format: LogFormat = None,
) -> None:
    """Run the HTTP server on the configured store (with --workers, in several processes)."""
    import os

    import uvicorn

    from ops.bootstrap import web_app
    from ops.demo import region_data_found

    settings = load_settings(log_format)
    registry = registry_from_settings(settings)
    if with_demo:
        already = region_data_found(registry)
        if already is None:
            _load_demo_with_progress(registry, settings)
            _print_demo_sign_ins(registry)
        else:
            console.print(f"Демо не загружается: {already}")
            console.print(
                "Демо-входы рабочего места (demo-admin, demo-municipal, demo-curator, demo-auditor) "
                "созданы при первой загрузке; новый пароль: reestr users set-password demo-curator"
            )
    # Every record joins the Merkle tree in its own transaction (ops/bootstrap.py); the app's
    # projector is the views' after-commit subscriber.
    app_ = web_app(registry, settings)
    console.print(f"Представления обновлены: позиция журнала {app_.state.projector.position}.")
    bind_host = host or settings.host
    bind_port = port or settings.port
    console.print(
        f"Реестр: http://{bind_host}:{bind_port}/ — открытый реестр, "
        f"http://{bind_host}:{bind_port}/staff/ — рабочее место сотрудников, "
        f"http://{bind_host}:{bind_port}/docs — API (база: {redacted_url(settings.database_url)})"
        + (f", процессов: {workers}" if workers > 1 else "")
    )
    if workers == 1:
        uvicorn.run(app_, host=bind_host, port=bind_port, log_level=settings.log_level)
        return
    # Each worker builds its own app from the same settings (the views are already caught up
    # here, so theirs find nothing to do); a chosen log format reaches them by the environment.
    registry.close()
    if log_format:
        os.environ["REESTR_LOG_FORMAT"] = log_format
    from ops.serve_app import NoDelayHTTP

    uvicorn.run("ops.serve_app:worker_app", factory=True, workers=workers, host=bind_host,
                port=bind_port, log_level=settings.log_level, http=NoDelayHTTP)


def _print_demo_sign_ins(registry) -> None:  # type: ignore[no-untyped-def]
    """Demo users of the staff workspace, their passwords shown this once (stdout)."""
    from api.staff.accounts import StaffAccounts
    from ops.demo.staff_users import add_demo_staff

    made = add_demo_staff(registry, StaffAccounts(registry))
    if made:
        typer.echo("Рабочее место сотрудников: /staff/login — демо-входы (пароли показаны один раз):")
        for sign_in in made:
            typer.echo(f"  {sign_in.role:10} {sign_in.login:15} {sign_in.password}   ({sign_in.who})")


@app.command(help="Показать, где база и сколько в ней событий каждого типа.")
def info(log_format: LogFormat = None) -> None:
    """Show where the store is and how many events it holds, by type."""
    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    started = time.perf_counter()
    counts: dict[str, int] = {}
    position = 0
    while True:
        batch = registry.recorder.select_notifications(start=position + 1, limit=5000)
        if not batch:
            break
        for notification in batch:
            counts[notification.topic] = counts.get(notification.topic, 0) + 1
        position = batch[-1].id
    registry.close()
    out = Console(soft_wrap=True, highlight=False)  # the answer: standard output, unwrapped
    out.print(f"База: {redacted_url(settings.database_url)}; позиция журнала: {position}")
    for topic, count in sorted(counts.items()):
        out.print(f"  {topic:45} {count:>8}")
    console.print(f"({time.perf_counter() - started:.2f} с)")


# Commands defined beside what they operate on join the app here, once it exists.
from ops.doctor import doctor_command  # noqa: E402
from ops.files_cli import (  # noqa: E402
    export_log_command,
    import_command,
    restore_command,
    template_command,
)
from ops.privacy_cli import cipher_key_command, erase_command  # noqa: E402
from ops.projection_cli import project_command, rebuild_command, report_app  # noqa: E402
from ops.transparency_cli import (  # noqa: E402
    checkpoint_command,
    keys_app,
    proof_app,
    tree_rebuild_command,
    verify_command,
    verify_proof_command,
)
from ops.users_cli import users_app  # noqa: E402

app.command("project", help="Применить новые события к представлениям (с --follow — постоянно).")(
    project_command
)
app.command("rebuild", help="Пересобрать все представления с нуля и подключить их разом.")(
    rebuild_command
)
app.add_typer(report_app, name="report")
app.add_typer(users_app, name="users")
app.command("template")(template_command)
app.command("import")(import_command)
app.command("export-log")(export_log_command)
app.command("restore")(restore_command)
app.command("doctor")(doctor_command)
app.command("erase")(erase_command)
app.command("cipher-key")(cipher_key_command)
app.add_typer(keys_app, name="keys")
app.command("checkpoint")(checkpoint_command)
app.command("tree-rebuild")(tree_rebuild_command)
app.add_typer(proof_app, name="proof")
app.command("verify-proof")(verify_proof_command)
app.command("verify")(verify_command)


if __name__ == "__main__":
    app()
