"""Deployment settings, from the environment and `.env` (prefix `REESTR_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a deployment configures; one URL picks the store."""

    model_config = SettingsConfigDict(env_prefix="REESTR_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///reestr.sqlite3",
        description="sqlite:///PATH (relative to the working directory) or postgresql://USER@HOST:PORT/DB",
    )
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema for the tables (created if missing)"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    log_format: str = Field(default="json", pattern="^(json|console)$")
    signing_key_path: Path | None = None
    cipher_key: SecretStr | None = Field(
        default=None,
        description="Encrypt every stored event (AES-256-GCM, the library's cipher); `reestr cipher-key` makes one",
    )
    # Reminder mail of monitoring rounds (ops/mail.py): off unless asked for.
    reminder_mail: bool = Field(default=False, description="Send monitoring reminders by e-mail")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "reestr@localhost"
    cookie_secure: bool = Field(
        default=False, description="The staff workspace's session cookie only over HTTPS (set behind a TLS proxy)"
    )
    session_idle_minutes: int = Field(default=30, ge=1, description="A staff session ends after this idle time")
    session_absolute_hours: int = Field(default=12, ge=1, description="A staff session ends this long after sign-in")
