"""What every CLI command starts from: the settings, the logs, the registry they name."""

from __future__ import annotations

from typing import Annotated

import typer
from eventsourcing.persistence import MapperDeserialisationError

from ops.logs import configure_logging
from ops.settings import Settings
from ops.storage import StorageConfigError, open_registry, redacted_url
from registry.application import Registry

#: The `--log-format` option every command takes; without it the settings decide.
LogFormat = Annotated[
    str | None,
    typer.Option("--log-format", help="json или console — формат журналов (иначе из настроек)"),
]


def load_settings(log_format: str | None = None) -> Settings:
    """Settings from the environment and `.env`, logging configured from them."""
    settings = Settings()
    if log_format:
        settings = settings.model_copy(update={"log_format": log_format})
    configure_logging(settings.log_level, settings.log_format)
    return settings


def cipher_key_of(settings: Settings) -> str | None:
    """The whole-store cipher key, if the deployment set one."""
    return settings.cipher_key.get_secret_value() if settings.cipher_key else None


def registry_from_settings(settings: Settings) -> Registry:
    """Open the configured store; a bad URL or an unreachable server ends the command clearly."""
    try:
        # Built by the composition root (ops/bootstrap.py); the views catch up after every commit.
        return open_registry(
            settings.database_url, settings.database_schema, cipher_key=cipher_key_of(settings), views=True
        )
    except StorageConfigError as error:
        typer.secho(f"Ошибка настройки базы данных: {error}", err=True, fg="red")
        raise typer.Exit(2) from None
    except MapperDeserialisationError:
        typer.secho(
            "События базы не расшифровываются: база зашифрована, а ключ REESTR_CIPHER_KEY не задан "
            "или не тот",
            err=True,
            fg="red",
        )
        raise typer.Exit(2) from None
    except Exception as error:  # driver errors differ by store; all mean "cannot open it"
        typer.secho(
            f"Не удалось открыть базу {redacted_url(settings.database_url)}: "
            f"{type(error).__name__}: {error}",
            err=True,
            fg="red",
        )
        raise typer.Exit(2) from None


def staff_config_of(settings: Settings):  # type: ignore[no-untyped-def]
    """The staff workspace's cookie and timeouts from the settings."""
    from api.staff.session import StaffConfig

    return StaffConfig(
        cookie_secure=settings.cookie_secure,
        idle_seconds=settings.session_idle_minutes * 60,
        absolute_seconds=settings.session_absolute_hours * 3600,
    )
