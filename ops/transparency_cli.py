"""`reestr keys|checkpoint|proof|verify-proof|verify`: the tamper evidence of the event log.

* `reestr keys generate -o DIR` — the institute's Ed25519 key pair (private key: PEM, mode 0600;
  its path goes to `REESTR_SIGNING_KEY_PATH`; the public key goes to auditors).
* `reestr checkpoint [-o FILE] [--every MINUTES]` — a signed tree head, now or periodically.
* `reestr proof inclusion --position N [--checkpoint FILE] -o FILE` and
  `reestr proof consistency --from OLD.json [--to NEW.json] -o FILE` — proofs for auditors.
* `reestr verify-proof FILE --key PUBLIC` — checks a proof offline: no database, no settings.
* `reestr verify [--checkpoint FILE ...] [--key PUBLIC]` — recomputes the tree from the stored
  events and names the first tampered position.

Exit codes: 0 — verified / done; 1 — verification failed or the request cannot be met;
2 — configuration (database, key) unusable.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Self

import typer
from rich.console import Console

from ops.runtime import cipher_key_of, load_settings
from ops.storage import (
    StorageConfigError,
    parse_database_url,
    redacted_url,
    registry_on,
)
from projections.transparency.checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_at,
    generate_keys,
    issue_checkpoint,
    issue_due_checkpoint,
    load_private_key,
    load_public_key,
)
from projections.transparency.proof_files import (
    consistency_document,
    dumps,
    inclusion_document,
    verify_proof_document,
)
from projections.transparency.signing import TreeDisagrees, check_before_signing
from projections.transparency.store import TransparencyLog, TreeSizeError
from projections.transparency.verify import verify_log
from registry.application import Registry

console = Console(stderr=True, highlight=False, soft_wrap=True)  # paths and messages stay whole lines

LogFormat = Annotated[
    str | None,
    typer.Option("--log-format", help="json (по умолчанию) или console — формат журналов"),
]
OutputFile = Annotated[
    Path | None, typer.Option("-o", "--output", help="Файл для записи (по умолчанию — стандартный вывод)")
]

keys_app = typer.Typer(
    help="Ключи подписи контрольных точек журнала (Ed25519).", no_args_is_help=True, add_completion=False
)
proof_app = typer.Typer(
    help="Доказательства для аудитора: включение события и согласованность журнала.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _read_checkpoint(path: Path) -> Checkpoint:
    try:
        return Checkpoint.loads(path.read_bytes())
    except OSError as error:
        raise _fail(f"Не удалось прочитать {path}: {error.strerror or error}", 2) from None
    except CheckpointError as error:
        raise _fail(f"{path}: {error}", 2) from None


def _signing_key(settings: Any) -> Any:
    path = settings.signing_key_path
    if path is None:
        raise _fail(
            "Не задан ключ подписи: укажите путь к закрытому ключу в REESTR_SIGNING_KEY_PATH "
            "(создать ключ: reestr keys generate -o ПАПКА).",
            2,
        )
    if Path(path).is_dir():
        raise _fail(
            f"REESTR_SIGNING_KEY_PATH указывает на папку {path}, а нужен файл закрытого ключа "
            "(например, …/reestr-signing-key.pem).",
            2,
        )
    try:
        return load_private_key(Path(path))
    except CheckpointError as error:
        raise _fail(str(error), 2) from None


def _public_key_from(path: Path | None, settings: Any) -> Any:
    """The key given, else the public half of the configured signing key, else None."""
    if path is not None:
        try:
            return load_public_key(path.read_bytes())
        except OSError as error:
            raise _fail(f"Не удалось прочитать ключ {path}: {error.strerror or error}", 2) from None
        except CheckpointError as error:
            raise _fail(f"{path}: {error}", 2) from None
    if settings.signing_key_path is not None and Path(settings.signing_key_path).is_file():
        try:
            return load_private_key(Path(settings.signing_key_path)).public_key()
        except CheckpointError:
            return None
    return None


def _open_store(settings: Any) -> Registry:
    """The configured store, opened without replaying or seeding anything.

    Unlike `ops.runtime.registry_from_settings`, no aggregate is read: a store whose events were
    tampered with may no longer replay, and it must still be verifiable.
    """
    try:
        location = parse_database_url(settings.database_url, settings.database_schema)
        return registry_on(location, cipher_key=cipher_key_of(settings))
    except StorageConfigError as error:
        raise _fail(f"Ошибка настройки базы данных: {error}", 2) from None
    except Exception as error:  # noqa: BLE001 - driver errors differ by store; all mean "cannot open it"
        raise _fail(f"Не удалось открыть базу {redacted_url(settings.database_url)}: {type(error).__name__}: {error}", 2) from None


class _Session:
    """Settings, the store and its transparency log; closed on exit.

    Nothing is appended to the tree here: every write appended its own leaves in its own
    transaction (ops/unit_of_work.py), so a record without a leaf is a finding, not a backlog."""

    def __init__(self, log_format: str | None):
        self.settings = load_settings(log_format or "console")
        self.registry = _open_store(self.settings)
        try:
            self.log = TransparencyLog(self.registry)
        except BaseException:
            self.registry.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.registry.close()


# -- keys ------------------------------------------------------------------------------------------


@keys_app.command("generate", help="Создать пару ключей Ed25519: закрытый (PEM, права 0600) и открытый (PEM).")
def generate(
    output: Annotated[Path, typer.Option("-o", "--output", help="Папка, куда записать ключи")],
    force: Annotated[bool, typer.Option("--force", help="Перезаписать существующие ключи")] = False,
) -> None:
    try:
        private_path, public_path, kid = generate_keys(output, force=force)
    except CheckpointError as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"Не удалось записать ключи в {output}: {error.strerror or error}", 2) from None
    console.print(f"Закрытый ключ: {private_path} (только для владельца; укажите его в REESTR_SIGNING_KEY_PATH)")
    console.print(f"Открытый ключ: {public_path} (передайте аудиторам)")
    console.print(f"Идентификатор ключа: {kid}")


# -- checkpoints -------------------------------------------------------------------------------------


def checkpoint_command(
    output: OutputFile = None,
    every: Annotated[
        float | None,
        typer.Option("--every", help="Выдавать периодически: каждые N минут, если журнал вырос (до остановки)"),
    ] = None,
    log_format: LogFormat = None,
) -> None:
    """Выдать подписанную контрольную точку журнала (сейчас или периодически)."""
    with _Session(log_format) as session:
        key = _signing_key(session.settings)
        if every is None:
            checkpoint = _issue(session.log, key)
            _write(checkpoint.dumps(), output)
            _said(checkpoint, output)
            return
        if every <= 0:
            raise _fail("Период --every должен быть положительным числом минут", 2)
        console.print(f"Контрольные точки выдаются каждые {every:g} мин. (Ctrl+C — остановить)")
        latest = session.log.latest_checkpoint_document()
        if output is not None and latest is not None:
            _write(latest, output)  # the file holds the latest checkpoint from the start
        try:
            while True:
                try:
                    check_before_signing(session.log)
                except TreeDisagrees as error:
                    raise _fail(str(error)) from None
                issued = issue_due_checkpoint(session.log, key, timedelta(minutes=every))
                if issued is not None:
                    if output is not None:
                        _write(issued.dumps(), output)
                    _said(issued, output)
                time.sleep(min(every * 60, 30.0))
        except KeyboardInterrupt:
            console.print("Остановлено.")



def _issue(log: TransparencyLog, key: Any) -> Checkpoint:
    """A new checkpoint, or the command fails saying what in the tree disagrees with the events."""
    try:
        check_before_signing(log)
    except TreeDisagrees as error:
        raise _fail(str(error)) from None
    return issue_checkpoint(log, key)


def tree_rebuild_command(log_format: LogFormat = None) -> None:
    """Пересобрать кэш дерева журнала (tl_leaves, tl_nodes, tl_head) из сохранённых событий."""
    with _Session(log_format) as session:
        started = time.perf_counter()
        size = session.log.rebuild()
        head = session.log.head()
        console.print(
            f"Дерево журнала пересобрано из событий: {size} листьев до позиции {head.position}, "
            f"корень {head.root_hash.hex()} ({time.perf_counter() - started:.2f} с)"
        )
        disagreeing = []
        for document in session.log.checkpoint_documents():
            checkpoint = Checkpoint.loads(document)
            try:
                root = session.log.root(checkpoint.tree_size)
            except TreeSizeError:
                root = None
            if root != checkpoint.root:
                disagreeing.append(checkpoint)
        for checkpoint in disagreeing:
            console.print(
                f"[red]Контрольная точка от {checkpoint.issued_at} ({checkpoint.tree_size} листьев) не совпадает "
                "с деревом, пересчитанным из событий: события изменены после её выдачи "
                "(reestr verify --checkpoint с её файлом назовёт позицию).[/red]"
            )
        if disagreeing:
            raise typer.Exit(1)


def _said(checkpoint: Checkpoint, output: Path | None) -> None:
    where = f" → {output}" if output else ""
    console.print(
        f"Контрольная точка: {checkpoint.tree_size} листьев (до позиции {checkpoint.position}), "
        f"корень {checkpoint.root_hash}, {checkpoint.issued_at}, ключ {checkpoint.key_id}{where}"
    )


# -- proofs -------------------------------------------------------------------------------------------


def _matching(log: TransparencyLog, checkpoint: Checkpoint, what: str) -> None:
    """Refuse if the stored tree does not have the checkpoint's root at its size."""
    try:
        root = log.root(checkpoint.tree_size)
    except TreeSizeError as error:
        raise _fail(f"{what}: {error}") from None
    if root != checkpoint.root:
        raise _fail(
            f"{what} ({checkpoint.tree_size} листьев, {checkpoint.issued_at}) не совпадает с деревом журнала: "
            "журнал переписан после её выдачи. Запустите reestr verify --checkpoint с этим файлом."
        )


@proof_app.command("inclusion", help="Доказать, что событие на позиции журнала входит в подписанное дерево.")
def inclusion(
    position: Annotated[int, typer.Option("--position", help="Позиция события в журнале")],
    checkpoint_file: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="Контрольная точка, к которой строить доказательство (иначе — новая)"),
    ] = None,
    output: OutputFile = None,
    without_record: Annotated[
        bool, typer.Option("--without-record", help="Не включать само событие (только хеш его листа)")
    ] = False,
    log_format: LogFormat = None,
) -> None:
    with _Session(log_format) as session:
        log = session.log
        if checkpoint_file is not None:
            checkpoint = _read_checkpoint(checkpoint_file)
            _matching(log, checkpoint, "Контрольная точка")
        else:
            checkpoint = _issue(log, _signing_key(session.settings))
        leaf = log.leaf_at_position(position)
        if leaf is None:
            raise _fail(f"На позиции {position} нет события в дереве журнала")
        if leaf.leaf_index >= checkpoint.tree_size:
            raise _fail(
                f"Событие на позиции {position} внесено позже контрольной точки ({checkpoint.tree_size} листьев)"
            )
        record = log.record_at(position)
        if record is None or record.leaf_hash() != leaf.leaf_hash:
            raise _fail(
                f"Сохранённое событие на позиции {position} не совпадает со своим листом: "
                "оно изменено или удалено после внесения в журнал (reestr verify покажет подробности)."
            )
        path = log.inclusion_proof(leaf.leaf_index, checkpoint.tree_size)
        document = inclusion_document(
            checkpoint, leaf.leaf_index, position, leaf.leaf_hash, path, None if without_record else record
        )
        _write(dumps(document), output)
        console.print(
            f"Доказательство включения: позиция {position} — лист № {leaf.leaf_index} дерева из "
            f"{checkpoint.tree_size} листьев ({len(path)} хешей)" + (f" → {output}" if output else "")
        )


@proof_app.command(
    "consistency", help="Доказать, что нынешний журнал продолжает сохранённую ранее контрольную точку."
)
def consistency(
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Ранняя контрольная точка (файл, сохранённый аудитором)")
    ] = None,
    from_size: Annotated[
        int | None, typer.Option("--from-size", help="Или: размер раннего дерева (его корень подписывается сейчас)")
    ] = None,
    to_file: Annotated[
        Path | None, typer.Option("--to", help="Поздняя контрольная точка (иначе — новая, на весь журнал)")
    ] = None,
    output: OutputFile = None,
    log_format: LogFormat = None,
) -> None:
    if (from_file is None) == (from_size is None):
        raise _fail("Укажите раннюю контрольную точку: --from ФАЙЛ или --from-size N", 2)
    with _Session(log_format) as session:
        log = session.log
        if from_file is not None:
            first = _read_checkpoint(from_file)
            _matching(log, first, "Ранняя контрольная точка")
        else:
            assert from_size is not None
            try:
                first = checkpoint_at(log, _signing_key(session.settings), from_size)
            except TreeSizeError as error:
                raise _fail(str(error)) from None
        if to_file is not None:
            second = _read_checkpoint(to_file)
            _matching(log, second, "Поздняя контрольная точка")
        else:
            second = _issue(log, _signing_key(session.settings))
        if first.tree_size > second.tree_size:
            raise _fail(
                f"Ранняя контрольная точка ({first.tree_size} листьев) больше поздней ({second.tree_size})"
            )
        path = log.consistency_proof(first.tree_size, second.tree_size)
        _write(dumps(consistency_document(first, second, path)), output)
        console.print(
            f"Доказательство согласованности: {first.tree_size} → {second.tree_size} листьев "
            f"({len(path)} хешей)" + (f" → {output}" if output else "")
        )


def verify_proof_command(
    proof_file: Annotated[Path, typer.Argument(help="Файл доказательства (JSON)")],
    key: Annotated[Path, typer.Option("--key", help="Открытый ключ института (PEM или 32 байта в hex/base64)")],
) -> None:
    """Проверить файл доказательства открытым ключом института (без базы данных)."""
    try:
        document = proof_file.read_bytes()
        public_key = key.read_bytes()
    except OSError as error:
        raise _fail(f"Не удалось прочитать файл: {error.filename}: {error.strerror or error}", 2) from None
    result = verify_proof_document(document, public_key)
    if result.ok:
        console.print(f"[green]Доказательство верно.[/green] {result.message}")
        typer.echo(json.dumps({"ok": True, "type": result.kind, **result.details}, ensure_ascii=False))
        return
    typer.echo(json.dumps({"ok": False, "type": result.kind, "error": result.message}, ensure_ascii=False))
    raise _fail(f"Доказательство НЕ верно: {result.message}")



def verify_command(
    checkpoint_files: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="Сохранённая контрольная точка (можно несколько раз)"),
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="Открытый ключ для проверки подписей контрольных точек")
    ] = None,
    no_catch_up: Annotated[
        bool,
        typer.Option("--no-catch-up", help="Оставлено для совместимости: проверка никогда не вносит события в дерево"),
    ] = False,
    log_format: LogFormat = None,
) -> None:
    """Пересчитать дерево из сохранённых событий и найти первую изменённую позицию."""
    checkpoints = [_read_checkpoint(path) for path in checkpoint_files or []]
    with _Session(log_format) as session:
        public_key = _public_key_from(key, session.settings)
        started = time.perf_counter()
        report = verify_log(session.log, checkpoints, public_key)
        for line in report.lines():
            typer.echo(line)
        console.print(f"({time.perf_counter() - started:.2f} с)")
        if not report.ok:
            raise typer.Exit(1)

