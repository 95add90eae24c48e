"""Importing a file in the browser, exactly as `reestr import` does (`ops.importing.import_file`)
but as the signed-in curator: the template to download, the upload and its dry run (a table of
every row and column error, and the file back with a note on each bad cell), the confirmation
that records it all or nothing, and the result.

An upload waits for its confirmation in a directory of its own (a random name, the uploader's
user id beside it): only its uploader can confirm it or download its error copy.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from api.staff import pages
from api.staff.curator import curator_only
from api.staff.session import CurrentStaff, SignedIn, StaffRefusal

router = APIRouter()

#: What a curator imports (municipalities, organizations, contingents, trainings are the institute's).
CURATOR_KINDS = ("mentors", "mentees", "pairs", "programs", "outputs")
MAX_BYTES = 20 * 1024 * 1024
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def uploads_root() -> Path:
    root = Path(tempfile.gettempdir()) / "reestr-staff-imports"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


def _kinds() -> list[tuple[str, str]]:
    from ops.importing.columns import KINDS

    return [(name, KINDS[name].title) for name in CURATOR_KINDS]


def _upload_dir(staff: SignedIn, token: str) -> Path:
    """The directory of an upload of this person; 404 for anyone else's or an expired one."""
    folder = uploads_root() / token
    owner = folder / "owner"
    if not _TOKEN.match(token) or not owner.is_file() or owner.read_text() != staff.actor.user_id:
        raise StaffRefusal(404, "Не найдено", "Такой загрузки нет: загрузите файл заново.")
    return folder


def _uploaded_file(folder: Path) -> Path:
    found = [p for p in folder.iterdir() if p.name not in ("owner", "kind") and not p.name.endswith(".ошибки.xlsx")]
    if not found:
        raise StaffRefusal(404, "Не найдено", "Такой загрузки нет: загрузите файл заново.")
    return found[0]


def _forget_old() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for folder in uploads_root().iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@router.get("/import")
def import_page(request: Request, staff: CurrentStaff) -> Response:
    curator_only(staff)
    return pages.render(request, "staff/import.html.j2", kinds=_kinds(), report=None, token=None, problem=None,
                        errors={}, chosen="")


@router.get("/import/template/{kind}")
def template(request: Request, staff: CurrentStaff, kind: str) -> Response:
    curator_only(staff)
    if kind not in CURATOR_KINDS:
        raise StaffRefusal(404, "Не найдено", "Такого шаблона нет.")
    from ops.templates import write_template

    folder = Path(tempfile.mkdtemp(prefix="reestr-template-"))
    path = write_template(request.app.state.registry, kind, folder / f"shablon-{kind}.xlsx")
    return FileResponse(path, filename=path.name,
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _run(request: Request, staff: SignedIn, folder: Path, dry_run: bool):  # type: ignore[no-untyped-def]
    from ops.importing import FileProblem, import_file

    kind_file = folder / "kind"
    kind = kind_file.read_text() or None if kind_file.is_file() else None
    source = _uploaded_file(folder)
    try:
        report = import_file(request.app.state.registry, source, kind=kind, actor=staff.actor, dry_run=dry_run,
                             error_copy=folder / f"{source.stem}.ошибки.xlsx")
    except FileProblem as problem:
        return None, str(problem)
    return report, None


@router.post("/import")
def upload(request: Request, staff: CurrentStaff, form: pages.PostedForm) -> Response:
    curator_only(staff)
    _forget_old()
    upload = form.form.get("file")
    kind = form.text("kind") or ""
    errors: dict[str, str] = {}
    if kind and kind not in CURATOR_KINDS:
        errors["kind"] = "Выберите вид данных из списка"
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = "Выберите файл .xlsx или .csv"
    elif Path(upload.filename).suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt"):
        errors["file"] = "Нужен файл .xlsx или .csv"
    if errors:
        return pages.render(request, "staff/import.html.j2", status=422, kinds=_kinds(), report=None, token=None,
                            problem=None, errors=errors, chosen=kind)
    assert isinstance(upload, UploadFile) and upload.filename
    token = secrets.token_urlsafe(24)
    folder = uploads_root() / token
    folder.mkdir(mode=0o700)
    (folder / "owner").write_text(staff.actor.user_id)
    (folder / "kind").write_text(kind)
    name = re.sub(r"[^\w.() -]", "_", Path(upload.filename).name)[:120] or "file.xlsx"
    data = upload.file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        shutil.rmtree(folder, ignore_errors=True)
        return pages.render(request, "staff/import.html.j2", status=422, kinds=_kinds(), report=None, token=None,
                            problem=None, errors={"file": "Файл больше 20 МБ: разделите его на части"}, chosen=kind)
    (folder / name).write_bytes(data)
    report, problem = _run(request, staff, folder, dry_run=True)
    return pages.render(request, "staff/import.html.j2", status=200 if report and report.ok else 422,
                        kinds=_kinds(), report=report, token=token, problem=problem, errors={}, chosen=kind)


@router.post("/import/{token}/confirm")
def confirm(request: Request, staff: CurrentStaff, token: str) -> Response:
    curator_only(staff)
    folder = _upload_dir(staff, token)
    report, problem = _run(request, staff, folder, dry_run=False)
    if report is not None and report.ok:
        shutil.rmtree(folder, ignore_errors=True)
    return pages.render(request, "staff/import_result.html.j2", status=200 if report and report.ok else 422,
                        report=report, problem=problem, token=token)


@router.get("/import/{token}/errors")
def error_copy(request: Request, staff: CurrentStaff, token: str) -> Response:
    curator_only(staff)
    folder = _upload_dir(staff, token)
    copies = sorted(folder.glob("*.ошибки.xlsx"))
    if not copies:
        raise StaffRefusal(404, "Не найдено", "Копии с ошибками нет: в файле не нашлось ошибок.")
    return FileResponse(copies[0], filename="oshibki-importa.xlsx",
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
