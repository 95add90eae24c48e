"""Personal data at the console: `reestr erase` (152-ФЗ erasure by destroying the person's key) and
`reestr cipher-key` (a key for the optional encryption of the whole store)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

from ops.runtime import LogFormat, load_settings, registry_from_settings
from ops.users_cli import cli_actor, refused
from registry import commands as c
from registry.errors import RegistryError
from registry.validation import parse_command

console = Console(stderr=True, soft_wrap=True)


def erase_command(
    person: Annotated[UUID, typer.Argument(help="Идентификатор наставника или наставляемого", show_default=False)],
    reason: Annotated[
        str,
        typer.Option("--reason", help="Основание (например, «отзыв согласия, заявление № 12 от 01.03.2024»); "
                     "не пишите сюда самих персональных данных: причина хранится открыто"),
    ],
    log_format: LogFormat = None,
) -> None:
    """Удалить персональные данные человека: ключ уничтожается, событие об удалении записывается.

    ФИО, дата рождения, контакты и СНИЛС перестают читаться везде: в истории, представлениях, выгрузках и на публичной странице («данные удалены»).

    Счёт и показатели не меняются, журнал не переписывается, reestr verify проходит, как прежде.
    """
    from ops.bootstrap import views_position

    settings = load_settings(log_format or "console")
    registry = registry_from_settings(settings)
    try:
        command = parse_command(c.ErasePersonalData, {"person_id": person, "reason": reason})
        # The key dies in the erasure's own transaction; the after-commit subscribers then apply
        # it to the views, and every other process sees it from its next request (api/erasures.py).
        result = registry.execute(command, cli_actor())
        views_at = views_position(registry)
    except RegistryError as error:
        raise refused(error) from None
    finally:
        registry.close()
    console.print(
        f"Персональные данные {person} удалены: ключ уничтожен, событие записано на позиции "
        f"{result.position}; представления обновлены до позиции {views_at}."
    )


def cipher_key_command() -> None:
    """Создать ключ шифрования всей базы (AES-256): задайте его в REESTR_CIPHER_KEY до первой записи.

    Ключ нужен и для чтения: потерянный ключ — потерянная база. Храните его отдельно от базы.
    """
    from eventsourcing.cryptography import AESCipher

    typer.echo(AESCipher.create_key(32))
