"""`reestr doctor`: check the configuration and the database, and say what is wrong in plain words.

Doctor only reads: it never creates a file, a schema or a table, so it can be run against a
production database at any time. Each check yields a `Finding`; any error means a non-zero exit
(`doctor_command`, wired in `ops.cli`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from ops.settings import Settings
from ops.storage import (
    StorageConfigError,
    StoreLocation,
    parse_database_url,
    postgres_connect_kwargs,
    redacted_url,
)

OK, WARNING, ERROR = "ok", "warning", "error"
EVENTS_TABLE = "registry_events"  # PostgreSQL: `<application name>_events`
SQLITE_EVENTS_TABLE = "stored_events"
KEYS_TABLE = "personal_keys"  # ops/personal_keys.py
SQLITE_TRACKING_TABLE, POSTGRES_TRACKING_TABLE = "tracking", "rv_tracking"  # projections/store.py
VIEWS_TRACKING = "registry"  # projections.builds.LIVE_TRACKING
#: Views this far behind the log are worth a word even when nothing is stalled.
VIEWS_LAG_WARNING = 1


@dataclass(frozen=True)
class Finding:
    level: str
    message: str


def doctor_command() -> None:
    """Проверить настройки и базу данных и объяснить, что не так."""
    marks = {OK: "[green]✓[/green]", WARNING: "[yellow]![/yellow]", ERROR: "[red]✗[/red]"}
    findings = diagnose()
    out = Console(soft_wrap=True)  # a finding stays one line, whatever the terminal width
    for finding in findings:
        out.print(f"{marks[finding.level]} {finding.message}", highlight=False)
    errors = sum(1 for f in findings if f.level == ERROR)
    if errors:
        out.print(f"[red]Найдено проблем: {errors}.[/red]")
        raise typer.Exit(1)
    out.print("[green]Всё в порядке.[/green]")


def diagnose(settings: Settings | None = None) -> list[Finding]:
    """Every check, in order; stops early only when going on would make no sense."""
    findings: list[Finding] = []
    if settings is None:
        try:
            settings = Settings()
        except (ValueError, OSError) as error:  # pydantic's ValidationError, or an unreadable .env file
            return [Finding(ERROR, f"Настройки не читаются: {_settings_error(error)}")]
    findings.append(Finding(OK, f"Настройки прочитаны (рабочая папка {Path.cwd()})"))
    findings.extend(_other_settings(settings))
    url = settings.database_url.strip()
    if not url:
        findings.append(Finding(ERROR, "Адрес базы не задан: укажите REESTR_DATABASE_URL, например "
                                       "sqlite:///reestr.sqlite3 или postgresql://user@host:5432/reestr"))
        return findings
    try:
        location = parse_database_url(url, settings.database_schema)
    except StorageConfigError as error:
        findings.append(Finding(ERROR, f"Адрес базы REESTR_DATABASE_URL={redacted_url(url)} не годится: {error}"))
        return findings
    findings.append(Finding(OK, f"Адрес базы понятен: {location.describe()}"))
    ciphered = settings.cipher_key is not None
    if location.kind == "sqlite":
        findings.extend(_check_sqlite(location, ciphered))
    else:
        findings.extend(_check_postgres(location, ciphered))
    return findings


def _settings_error(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        parts = []
        for item in errors():
            name = "REESTR_" + "_".join(str(p) for p in item.get("loc", ())).upper()
            parts.append(f"{name}: недопустимое значение {item.get('input')!r}")
        return "; ".join(parts)
    return str(error)


def _other_settings(settings: Settings) -> Iterator[Finding]:
    if settings.signing_key_path is not None and not Path(settings.signing_key_path).is_file():
        yield Finding(ERROR, f"Файл ключа подписи REESTR_SIGNING_KEY_PATH не найден: {settings.signing_key_path}")
    if settings.log_level.lower() not in {"debug", "info", "warning", "error", "critical"}:
        yield Finding(WARNING, f"Неизвестный уровень журнала REESTR_LOG_LEVEL={settings.log_level}: "
                               "допустимы debug, info, warning, error")


# -- SQLite ---------------------------------------------------------------------------------------


def _check_sqlite(location: StoreLocation, ciphered: bool) -> Iterator[Finding]:
    assert location.sqlite_path is not None
    if location.sqlite_path == ":memory:":
        yield Finding(WARNING, "База в памяти (:memory:): всё записанное пропадёт при остановке реестра")
        return
    path = Path(location.sqlite_path).expanduser().resolve()
    if not path.exists():
        yield Finding(ERROR, f"Файла базы нет: {path}. Реестр с этой настройкой ещё не запускался, или путь "
                             "указан неверно (относительный путь считается от рабочей папки)")
        return
    if not path.is_file():
        yield Finding(ERROR, f"{path} — не файл")
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as error:
        yield Finding(ERROR, f"Файл базы {path} не открывается: {error}")
        return
    try:
        yield from _sqlite_contents(conn, path, ciphered)
    finally:
        conn.close()


def _sqlite_contents(conn: sqlite3.Connection, path: Path, ciphered: bool) -> Iterator[Finding]:
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        yield Finding(ERROR, f"Файл {path} — не база SQLite или повреждён: {error}")
        return
    if check != "ok":
        yield Finding(ERROR, f"Проверка целостности файла базы не пройдена: {check}")
    else:
        yield Finding(OK, f"Файл базы открывается и цел: {path}")
    if SQLITE_EVENTS_TABLE not in tables:
        yield Finding(WARNING, "Таблицы событий ещё нет: реестр создаст её при первом запуске")
        return
    count, last = conn.execute(f"SELECT COUNT(*), MAX(rowid) FROM {SQLITE_EVENTS_TABLE}").fetchone()
    topics = [row[0] for row in conn.execute(f"SELECT DISTINCT topic FROM {SQLITE_EVENTS_TABLE}")]
    yield from _log_findings(count, last, topics)
    if SQLITE_TRACKING_TABLE in tables:
        row = conn.execute(
            f"SELECT notification_id FROM {SQLITE_TRACKING_TABLE} WHERE application_name = ?", (VIEWS_TRACKING,)
        ).fetchone()
        yield from _views_findings(row[0] if row else None, last)
    first = conn.execute(f"SELECT state FROM {SQLITE_EVENTS_TABLE} ORDER BY rowid LIMIT 1").fetchone()
    keys = (
        conn.execute(f"SELECT COUNT(*), COUNT(*) - COUNT(key) FROM {KEYS_TABLE}").fetchone()
        if KEYS_TABLE in tables
        else None
    )
    yield from _sealing_findings(bytes(first[0]) if first else None, ciphered, keys, topics)


# -- PostgreSQL -----------------------------------------------------------------------------------


def _check_postgres(location: StoreLocation, ciphered: bool) -> Iterator[Finding]:
    import psycopg

    where = f"{location.host}:{location.port}"
    try:
        conn = psycopg.connect(**postgres_connect_kwargs(location), autocommit=True)  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        yield Finding(ERROR, _postgres_connect_problem(str(error), location, where))
        return
    except psycopg.Error as error:
        yield Finding(ERROR, f"Не удалось подключиться к PostgreSQL {where}: {type(error).__name__}: {error}")
        return
    with conn:
        version = conn.execute("SHOW server_version").fetchone()
        yield Finding(OK, f"PostgreSQL {version[0] if version else '?'} на {where} отвечает, база «{location.dbname}», "
                          f"пользователь «{location.user}»")
        schema = location.schema or "public"
        exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
        if not exists:
            yield Finding(WARNING, f"Схемы «{schema}» ещё нет: реестр создаст её при первом запуске")
            return
        table = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, EVENTS_TABLE),
        ).fetchone()
        if not table:
            yield Finding(WARNING, f"Таблицы событий {schema}.{EVENTS_TABLE} ещё нет: реестр создаст её при первом запуске")
            return
        from psycopg import sql

        name = sql.Identifier(schema, EVENTS_TABLE)
        count, last = conn.execute(
            sql.SQL("SELECT COUNT(*), MAX(notification_id) FROM {}").format(name)
        ).fetchone() or (0, None)
        topics = [row[0] for row in conn.execute(sql.SQL("SELECT DISTINCT topic FROM {}").format(name))]
        yield from _log_findings(count, last, topics)
        tracking = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, POSTGRES_TRACKING_TABLE),
        ).fetchone()
        if tracking:
            row = conn.execute(
                sql.SQL("SELECT notification_id FROM {} WHERE application_name = %s").format(
                    sql.Identifier(schema, POSTGRES_TRACKING_TABLE)
                ),
                (VIEWS_TRACKING,),
            ).fetchone()
            yield from _views_findings(row[0] if row else None, last)
        first = conn.execute(sql.SQL("SELECT state FROM {} ORDER BY notification_id LIMIT 1").format(name)).fetchone()
        keys_table = conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, KEYS_TABLE),
        ).fetchone()
        keys = (
            conn.execute(
                sql.SQL("SELECT COUNT(*), COUNT(*) - COUNT(key) FROM {}").format(sql.Identifier(schema, KEYS_TABLE))
            ).fetchone()
            if keys_table
            else None
        )
        yield from _sealing_findings(bytes(first[0]) if first else None, ciphered, keys, topics)


def _postgres_connect_problem(text: str, location: StoreLocation, where: str) -> str:
    lowered = text.lower()
    if "does not exist" in lowered and "database" in lowered:
        return (f"На сервере PostgreSQL {where} нет базы «{location.dbname}»: создайте её "
                f"(createdb -h {location.host} -p {location.port} -U {location.user} {location.dbname}) "
                "или исправьте имя в REESTR_DATABASE_URL")
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return (f"PostgreSQL {where} не принял пользователя «{location.user}»: неверный пароль или "
                "пользователь. Проверьте REESTR_DATABASE_URL")
    if "role" in lowered and "does not exist" in lowered:
        return f"На сервере PostgreSQL {where} нет пользователя «{location.user}»"
    if "refused" in lowered or "timeout" in lowered or "could not receive" in lowered or "no route" in lowered:
        return (f"PostgreSQL не отвечает по адресу {where}: сервер не запущен, адрес или порт указаны неверно, "
                "или соединение закрыто сетевым экраном")
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return f"Не найден сервер «{location.host}»: проверьте имя хоста в REESTR_DATABASE_URL"
    return f"Не удалось подключиться к PostgreSQL {where}: {text.strip()}"


# -- the log --------------------------------------------------------------------------------------


def _log_findings(count: int, last: int | None, topics: list[Any]) -> Iterator[Finding]:
    from eventsourcing.utils import TopicError, resolve_topic

    import registry.application  # noqa: F401 - registers every event topic of the registry

    if not count:
        yield Finding(WARNING, "База пуста: событий нет (загрузите данные: reestr import, reestr restore или reestr demo)")
        return
    gaps = (last or 0) - count
    yield Finding(OK, f"Журнал: {count} событий, позиция {last}" + (f" (пропусков в нумерации: {gaps})" if gaps else ""))
    unknown = []
    for topic in topics:
        try:
            resolve_topic(str(topic))
        except (TopicError, ImportError, AttributeError, ValueError):
            unknown.append(str(topic))
    if unknown:
        yield Finding(ERROR, "В журнале есть события, которых эта версия реестра не знает: "
                             f"{', '.join(sorted(unknown))}. Обновите программу до версии, записавшей их")
    else:
        yield Finding(OK, f"Все {len(topics)} типов событий журнала знакомы этой версии реестра")
    if not any(str(t).startswith("reestr:ReferenceList.") for t in topics):
        yield Finding(WARNING, "В журнале нет справочников (формы, типы наставников): они создаются при первом запуске")


def _views_findings(views: int | None, last: int | None) -> Iterator[Finding]:
    """Where the views are against the log: behind means a follower is down or an event stalls them."""
    if views is None:
        yield Finding(WARNING, "Представлений ещё нет: они создаются при первом запуске реестра")
        return
    behind = (last or 0) - int(views)
    if behind < VIEWS_LAG_WARNING:
        yield Finding(OK, f"Представления догнали журнал: позиция {views}")
        return
    yield Finding(
        WARNING,
        f"Представления отстают от журнала на {behind} событий (их позиция {views}, журнала {last}): ответы "
        "API и отчёты не показывают последние записи. Запустите «reestr project»: он применит события "
        "или назовёт событие, на котором представления остановились, и причину (её же показывает /healthz). "
        "Если событие не применяется, сообщите разработчикам номер события и причину; журнал при этом цел, "
        "ничего не удаляйте",
    )


def _sealing_findings(
    first_state: bytes | None, ciphered: bool, keys: tuple[int, int] | None, topics: list[Any]
) -> Iterator[Finding]:
    """Whole-store encryption as configured vs as stored; the key table of personal data."""
    if first_state is not None:
        stored_plain = first_state[:1] == b"{"
        if ciphered and stored_plain:
            yield Finding(ERROR, "Задан REESTR_CIPHER_KEY, но события записаны без шифрования: с ключом база "
                                 "не откроется. Шифрование включают до первой записи; уберите ключ из настроек")
        elif not ciphered and not stored_plain:
            yield Finding(ERROR, "События зашифрованы, а REESTR_CIPHER_KEY не задан: без ключа база не откроется")
        elif ciphered:
            yield Finding(OK, "События зашифрованы ключом REESTR_CIPHER_KEY")
    people = any(str(t).startswith(("reestr:Mentor.", "reestr:Mentee.")) for t in topics)
    if keys is not None:
        total, erased = keys
        yield Finding(OK, f"Ключи персональных данных: {total - erased} действующих, удалено {erased}")
    elif people:
        yield Finding(WARNING, "Таблицы ключей персональных данных нет: персональные данные этого журнала "
                               "записаны открыто (версией до запечатывания) и стираются только при чтении")
