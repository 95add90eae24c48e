"""Opening the registry on the configured store: SQLite file or PostgreSQL (schema created)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from registry.application import Registry


class StorageConfigError(ValueError):
    """The database URL cannot be used; the message says why, in Russian."""


@dataclass(frozen=True)
class StoreLocation:
    """Where the events live, parsed from one database URL."""

    kind: str  # "sqlite" | "postgres"
    sqlite_path: str | None = None
    dbname: str | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = None
    schema: str | None = None

    def describe(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {self.sqlite_path}"
        where = f"{self.host}:{self.port}/{self.dbname}"
        return f"PostgreSQL {where}" + (f" (схема {self.schema})" if self.schema else "")


def parse_database_url(url: str, schema: str | None = None) -> StoreLocation:
    """Parse `sqlite:///path` or `postgresql://user:pass@host:port/db[?schema=name]`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path[1:] if parsed.path.startswith("/") else parsed.path)
        if parsed.netloc:  # sqlite://relative/path is a common slip; read it as a path
            path = f"{parsed.netloc}/{path}" if path else parsed.netloc
        if not path:
            raise StorageConfigError("В адресе SQLite не указан файл: sqlite:///reestr.sqlite3")
        if path != ":memory:":
            parent = Path(path).expanduser().resolve().parent
            if not parent.is_dir():
                raise StorageConfigError(f"Папки для файла базы нет: {parent}")
        return StoreLocation(kind="sqlite", sqlite_path=path)
    if parsed.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        dbname = unquote(parsed.path.lstrip("/"))
        if not dbname:
            raise StorageConfigError("В адресе PostgreSQL не указана база: postgresql://host/имя_базы")
        query = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
        return StoreLocation(
            kind="postgres",
            dbname=dbname,
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username) if parsed.username else "postgres",
            password=unquote(parsed.password) if parsed.password else "",
            schema=schema or query.get("schema"),
        )
    raise StorageConfigError(
        f"Неизвестный тип базы «{parsed.scheme or url}»: нужен sqlite:///файл или postgresql://…"
    )


def redacted_url(url: str) -> str:
    """The URL as it may be printed or logged: the password, if any, replaced by ***."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def eventsourcing_env(location: StoreLocation, cipher_key: str | None = None) -> dict[str, str]:
    """The library's own settings, derived from ours so users never set them by hand."""
    env = {"CIPHER_TOPIC": CIPHER_TOPIC, "CIPHER_KEY": cipher_key} if cipher_key else {}
    from ops.unit_of_work import RECORDER_TOPICS  # the unit of work's adapter of the library's recorders

    env["APPLICATION_RECORDER_TOPIC"] = RECORDER_TOPICS[location.kind]
    if location.kind == "sqlite":
        assert location.sqlite_path is not None
        return env | {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": location.sqlite_path,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    env |= {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": location.dbname or "",
        "POSTGRES_HOST": location.host or "127.0.0.1",
        "POSTGRES_PORT": str(location.port or 5432),
        "POSTGRES_USER": location.user or "postgres",
        "POSTGRES_PASSWORD": location.password or "",
        "POSTGRES_CONNECT_TIMEOUT": "5",
    }
    if location.schema:
        env["POSTGRES_SCHEMA"] = location.schema
    return env


#: The library's AES-GCM cipher on the `cryptography` package (already ours for the signatures).
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


def ensure_schema(location: StoreLocation) -> None:
    """The library needs the schema to exist before it creates its tables."""
    if location.kind != "postgres" or not location.schema:
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(**postgres_connect_kwargs(location), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(location.schema)))


def postgres_connect_kwargs(location: StoreLocation) -> dict[str, object]:
    return {
        "dbname": location.dbname,
        "host": location.host,
        "port": location.port,
        "user": location.user,
        "password": location.password or None,
        "connect_timeout": 5,
    }


def open_registry(
    database_url: str,
    schema: str | None = None,
    clock: Callable[[], date] = date.today,
    *,
    cipher_key: str | None = None,
    views: bool = False,
) -> Registry:
    """The registry on the store the URL names, wired by the composition root (ops/bootstrap.py)."""
    from ops import bootstrap

    return bootstrap.open_registry(database_url, schema, clock, cipher_key=cipher_key, views=views)


def registry_on(
    location: StoreLocation,
    clock: Callable[[], date] = date.today,
    *,
    cipher_key: str | None = None,
    views: bool = False,
) -> Registry:
    """The registry on a store, wired by the composition root (ops/bootstrap.py), nothing seeded."""
    from ops import bootstrap

    return bootstrap.registry_on(location, clock, cipher_key=cipher_key, views=views)
