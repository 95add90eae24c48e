"""Integrity for the auditor: the log's verification, the latest signed checkpoint, and the
reproduction of a report from an uploaded manifest.

* `/staff/audit/verification` — the last verification's outcome (`reestr verify`'s recomputation
  of the Merkle tree from the stored records, `projections.transparency.verify`), run again on
  request; the latest signed checkpoint kept in the store and whether the tree still has its root.
* `/staff/audit/checkpoint.json` — that checkpoint, to keep and check later with the public key.
* `/staff/audit/reproduce` — a manifest (and optionally the report file) uploaded, the report
  recomputed at the manifest's position (`projections.manifest.reproduce`) and compared.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from api.staff.pages import render
from api.staff.session import SignedIn, require_staff_roles
from projections.manifest import KINDS, MANIFEST_FORMAT, ManifestError, reproduce
from projections.transparency.checkpoints import Checkpoint, CheckpointError
from projections.transparency.store import TransparencyLog, TreeSizeError
from projections.transparency.verify import verify_log
from registry.values import Role

router = APIRouter()

AUDITORS = (Role.ADMIN, Role.AUDITOR)
MAX_UPLOAD = 5 * 1024 * 1024  # a manifest is a few hundred bytes; a report of the whole region a few MB


@dataclass(frozen=True)
class Verification:
    """One run of the verification: when, whether the log is intact, the report's lines."""

    finished_at: datetime
    ok: bool
    lines: list[str]
    tree_size: int


_RUNNING = threading.Lock()  # one verification at a time per process: it reads the whole log


def _latest_checkpoint(log: TransparencyLog) -> tuple[Checkpoint | None, str | None, str | None]:
    """(checkpoint, its document, a Russian problem with it) — the newest one kept in the store."""
    document = log.latest_checkpoint_document()
    if document is None:
        return None, None, None
    try:
        checkpoint = Checkpoint.loads(document)
    except CheckpointError as error:
        return None, document, str(error)
    try:
        matches = log.root(checkpoint.tree_size) == checkpoint.root
    except TreeSizeError as error:
        return checkpoint, document, str(error)
    problem = (
        None
        if matches
        else ("Корень дерева журнала при этом размере не совпадает с подписанным: журнал переписан после выдачи точки")
    )
    return checkpoint, document, problem


@router.get("/audit/verification")
def verification(request: Request, staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    """The last verification and the latest checkpoint."""
    # Never catch the tree up here: every write commits its own leaves, so a record without one
    # was put in past the registry, and appending it would hide the tampering from verification.
    log = TransparencyLog(request.app.state.registry)
    checkpoint, _, problem = _latest_checkpoint(log)
    head = log.head()
    last: Verification | None = getattr(request.app.state, "staff_verification", None)
    return render(
        request,
        "staff/audit_verification.html.j2",
        **{
            "last": last,
            "checkpoint": checkpoint,
            "checkpoint_problem": problem,
            "tree_size": head.tree_size,
            "tree_position": head.position,
            "root": head.root_hash.hex(),
            "ran": request.query_params.get("ran") == "1",
        },
    )


@router.post("/audit/verification")
def verify_now(request: Request, staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    """Recompute the tree from every stored record now (the page shows the outcome)."""
    if _RUNNING.acquire(blocking=False):
        try:
            log = TransparencyLog(request.app.state.registry)
            checkpoints = []
            checkpoint, _, _ = _latest_checkpoint(log)
            if checkpoint is not None:
                checkpoints.append(checkpoint)
            report = verify_log(log, checkpoints)
            request.app.state.staff_verification = Verification(
                datetime.now(UTC), report.ok, report.lines(), report.tree_size
            )
        finally:
            _RUNNING.release()
    return RedirectResponse("/staff/audit/verification?ran=1", status_code=303)


@router.get("/audit/checkpoint.json")
def checkpoint_file(request: Request, staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    """The latest signed checkpoint as issued (`reestr checkpoint`), byte for byte."""
    log = TransparencyLog(request.app.state.registry)
    checkpoint, document, _ = _latest_checkpoint(log)
    if document is None:
        return render(
            request,
            "staff/audit_verification.html.j2",
            **{
                "last": None,
                "checkpoint": None,
                "checkpoint_problem": None,
                "tree_size": 0,
                "tree_position": 0,
                "root": "",
                "ran": False,
            },
            status=404,
        )
    size = checkpoint.tree_size if checkpoint else 0
    return Response(
        document.encode("utf-8"),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="checkpoint_{size}.json"',
        },
    )


# -- reproduction ---------------------------------------------------------------------------------


def _read_upload(upload: UploadFile | None) -> bytes | None:
    if upload is None or not upload.filename:
        return None
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValueError("Файл больше 5 МБ")
    return data


def _manifest_of(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError("Файл не читается как JSON: загрузите манифест (…manifest.json)") from None
    if not isinstance(manifest, dict) or manifest.get("manifest") != MANIFEST_FORMAT:
        raise ManifestError(f"Это не манифест отчёта ({MANIFEST_FORMAT})")
    for key in ("report", "parameters", "position", "merkle_root", "output"):
        if key not in manifest:
            raise ManifestError(f"В манифесте нет поля «{key}»")
    if manifest["report"] not in KINDS or not isinstance(manifest["output"], dict):
        raise ManifestError(f"Неизвестный вид отчёта «{manifest['report']}»")
    return manifest


@router.get("/audit/reproduce")
def reproduce_form(request: Request, staff: SignedIn = require_staff_roles(*AUDITORS)) -> Response:
    return render(request, "staff/audit_reproduce.html.j2", **{"errors": {}, "outcome": None})


@router.post("/audit/reproduce")
def reproduce_upload(
    request: Request,
    staff: SignedIn = require_staff_roles(*AUDITORS),
    manifest: UploadFile | None = None,
    report: UploadFile | None = None,
) -> Response:
    """Recompute the report of the uploaded manifest at its position; compare with the uploaded file."""
    errors: dict[str, str] = {}
    try:
        manifest_data = _read_upload(manifest)
    except ValueError as error:
        manifest_data, errors["manifest"] = None, str(error)
    try:
        report_data = _read_upload(report)
    except ValueError as error:
        report_data, errors["report"] = None, str(error)
    document = None
    if manifest_data is None and "manifest" not in errors:
        errors["manifest"] = "Выберите файл манифеста"
    elif manifest_data is not None:
        try:
            document = _manifest_of(manifest_data)
        except ManifestError as error:
            errors["manifest"] = str(error)
    outcome = None
    if document is not None and not errors:
        try:
            result = reproduce(request.app.state.registry, document)
        except (ManifestError, ValueError, KeyError, LookupError) as error:
            errors["manifest"] = f"Отчёт не пересчитан: {error}"
        else:
            problems = list(result.problems)
            notes = [n for n in result.notes if "рядом нет" not in n]
            if report_data is not None:
                digest = hashlib.sha256(report_data).hexdigest()
                if digest != document["output"].get("sha256"):
                    problems.append(f"Загруженный файл отчёта отличается от указанного в манифесте: sha256 {digest}")
                else:
                    notes.append("Загруженный файл отчёта совпадает с манифестом и с пересчётом.")
            else:
                notes.append("Файл отчёта не загружен: пересчёт сравнён с sha256 из манифеста.")
            outcome = {
                "identical": not problems,
                "problems": problems,
                "notes": notes,
                "sha256": result.sha256,
                "manifest": document,
            }
    return render(
        request,
        "staff/audit_reproduce.html.j2",
        **{"errors": errors, "outcome": outcome},
        status=422 if errors else 200,
    )
