"""`reestr doctor` says in plain Russian what is wrong with the configuration or the database, and
exits non-zero; the new commands explain themselves in `--help`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from support.importing import invoke
from support.stores import POSTGRES_URL, require_postgres
from support.world import assert_russian

from ops.storage import open_registry


@pytest.fixture
def run(tmp_path: Path, monkeypatch):  # type: ignore[no-untyped-def]
    """Run a command in an empty working directory (no `.env`) with the given environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("REESTR_DATABASE_URL", "REESTR_DATABASE_SCHEMA", "REESTR_PORT", "REESTR_SIGNING_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)

    def command(*args: str, **env: str):  # type: ignore[no-untyped-def]
        return invoke(args, env)

    return command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("command", ["template", "import", "export-log", "restore", "doctor"])
def test_every_command_explains_itself(run, command: str) -> None:  # type: ignore[no-untyped-def]
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert_russian(result.output)


def test_help_names_the_kinds_and_the_options(run) -> None:  # type: ignore[no-untyped-def]
    output = run("import", "--help").output
    for word in ("--dry-run", "--kind", "--as-curator", "Windows-1251", "mentors", "база наставников"):
        assert word in output
    assert "ПУСТУЮ" in run("restore", "--help").output


def test_a_healthy_sqlite_store(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'reestr.sqlite3'}"
    open_registry(url).close()
    result = run("doctor", REESTR_DATABASE_URL=url)
    assert result.exit_code == 0, result.output
    assert "Все" in result.output and "Всё в порядке" in result.output and "✗" not in result.output


def test_the_cipher_key_is_checked_against_what_the_store_holds(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from eventsourcing.cryptography import AESCipher

    key = AESCipher.create_key(32)
    plain, ciphered = f"sqlite:///{tmp_path / 'plain.sqlite3'}", f"sqlite:///{tmp_path / 'ciphered.sqlite3'}"
    open_registry(plain).close()
    open_registry(ciphered, cipher_key=key).close()
    healthy = run("doctor", REESTR_DATABASE_URL=ciphered, REESTR_CIPHER_KEY=key)
    assert healthy.exit_code == 0 and "События зашифрованы ключом" in healthy.output
    assert "Ключи персональных данных: 0 действующих, удалено 0" in healthy.output
    keyless = run("doctor", REESTR_DATABASE_URL=ciphered)
    assert keyless.exit_code == 1 and "REESTR_CIPHER_KEY не задан" in keyless.output
    late = run("doctor", REESTR_DATABASE_URL=plain, REESTR_CIPHER_KEY=key)
    assert late.exit_code == 1 and "записаны без шифрования" in late.output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "Адрес базы не задан"),
        ("mysql://root@localhost/reestr", "Неизвестный тип базы «mysql»"),
        ("sqlite:///нет/такой/папки/reestr.sqlite3", "Папки для файла базы нет"),
        ("sqlite:///ещё-не-созданная.sqlite3", "Файла базы нет"),
        ("postgresql://postgres@127.0.0.1:5432/", "не указана база"),
    ],
)
def test_a_missing_or_wrong_url_is_explained(run, url: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    result = run("doctor", REESTR_DATABASE_URL=url)
    assert result.exit_code == 1, result.output
    assert expected in result.output and "✗" in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_database(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "reestr.sqlite3").write_text("это не база данных, а заметки куратора\n" * 50, encoding="utf-8")
    result = run("doctor", REESTR_DATABASE_URL="sqlite:///reestr.sqlite3")
    assert result.exit_code == 1 and "не база SQLite или повреждён" in result.output


def test_a_bad_setting_is_named(run) -> None:  # type: ignore[no-untyped-def]
    result = run("doctor", REESTR_PORT="восемь тысяч")
    assert result.exit_code == 1 and "REESTR_PORT" in result.output and "Настройки не читаются" in result.output


def test_an_unreachable_postgresql_server(run) -> None:  # type: ignore[no-untyped-def]
    result = run("doctor", REESTR_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{_free_port()}/test")
    assert result.exit_code == 1, result.output
    assert "PostgreSQL не отвечает по адресу 127.0.0.1:" in result.output


def test_a_postgresql_database_that_does_not_exist(run) -> None:  # type: ignore[no-untyped-def]
    require_postgres()
    base = POSTGRES_URL.rsplit("/", 1)[0]
    result = run("doctor", REESTR_DATABASE_URL=f"{base}/нет_такой_базы")
    assert result.exit_code == 1, result.output
    assert "нет базы «нет_такой_базы»" in result.output and "createdb" in result.output


def test_a_healthy_postgresql_store(run, postgres_schema: str) -> None:  # type: ignore[no-untyped-def]
    open_registry(POSTGRES_URL, postgres_schema).close()
    result = run("doctor", REESTR_DATABASE_URL=POSTGRES_URL, REESTR_DATABASE_SCHEMA=postgres_schema)
    assert result.exit_code == 0, result.output
    assert "отвечает" in result.output and "Журнал:" in result.output


def test_other_commands_fail_clearly_on_a_wrong_url(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("export-log", "-o", str(tmp_path / "log.jsonl"), REESTR_DATABASE_URL="mysql://x/y")
    assert result.exit_code == 2 and "Ошибка настройки базы данных" in result.output
    result = run("restore", str(tmp_path / "log.jsonl"), REESTR_DATABASE_URL="mysql://x/y")
    assert result.exit_code == 2 and "Ошибка настройки базы данных" in result.output
