"""What every workspace page shares: templates, navigation by role, form input (dates
dd.mm.yyyy), running a command the API's way with its Russian errors beside the fields, reading
through the API's own read queries, paging links and the XLSX download of a list."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from uuid import UUID
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.datastructures import FormData

from api.problems import ApiProblem, status_of
from api.scope import ReadScope, scope_of
from api.staff.session import SignedIn, StaffRefusal, signed_in_or_none
from api.staff.words import field_label
from api.writes import WriteResult, run_command
from projections.unit_reads import latest_contingent_year
from registry.commands import Command
from registry.errors import RegistryError
from registry.validation import parse_command
from registry.values import Role

T = TypeVar("T")

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

ROLE_RU = {
    Role.ADMIN: "региональный институт (администратор)",
    Role.MUNICIPAL: "муниципальный координатор",
    Role.CURATOR: "куратор организации",
    Role.AUDITOR: "аудитор",
}


# -- dates ------------------------------------------------------------------------------------------

_RU_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


def ru_date(value: date | datetime | str | None) -> str:
    """A date as a person here writes it: 05.09.2023 (blank for none)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.strftime("%d.%m.%Y")


def parse_ru_date(text: str) -> date:
    """dd.mm.yyyy (or ISO yyyy-mm-dd, what a date picker sends) -> date; ValueError otherwise."""
    text = text.strip()
    found = _RU_DATE.match(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


TEMPLATES.filters["ru_date"] = ru_date
TEMPLATES.globals["field_label"] = field_label


# -- navigation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    roles: frozenset[Role]


#: The top navigation, in order; each page module adds its own entries with `add_nav`.
NAVIGATION: list[NavItem] = []


def add_nav(href: str, label: str, *roles: Role) -> None:
    """Show a link in the navigation of these roles (once, in the order modules call it)."""
    if all(item.href != href for item in NAVIGATION):
        NAVIGATION.append(NavItem(href, label, frozenset(roles)))


# -- rendering --------------------------------------------------------------------------------------


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page: the template with who is signed in, their navigation, CSRF token and a notice."""
    staff = signed_in_or_none(request)
    nav = [item for item in NAVIGATION if staff is not None and staff.actor.role in item.roles]
    notice = request.query_params.get("done")
    body = TEMPLATES.get_template(template).render(
        request=request,
        staff=staff,
        role_ru=ROLE_RU.get(staff.actor.role, "") if staff else "",
        nav=nav,
        path=request.url.path,
        csrf_token=staff.session.csrf_token if staff else context.pop("csrf_token", ""),
        notice=NOTICES.get(notice or "", ""),
        **context,
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


#: Messages shown after a redirect (`?done=<key>`): the key is in the URL, never the text.
NOTICES: dict[str, str] = {
    "password": "Пароль изменён.",
    "saved": "Сохранено.",
    "applied": "Заявка наставника подана. Её рассмотрит региональный институт.",
    "registered": "Наставляемый зарегистрирован.",
    "formed": "Пара (группа) сформирована.",
    "completed": "Пара (группа) завершена.",
    "dissolved": "Пара (группа) расформирована.",
    "adopted": "Программа внесена.",
    "imported": "Файл импортирован.",
}


def see_other(url: str, done: str | None = None) -> RedirectResponse:
    """The redirect after a successful POST (post/redirect/get), with a notice key."""
    if done:
        url += ("&" if "?" in url else "?") + urlencode({"done": done})
    return RedirectResponse(url, status_code=303)


def refusal_page(request: Request, refusal: StaffRefusal) -> HTMLResponse:
    return render(request, "staff/error.html.j2", status=refusal.status, title=refusal.title, detail=refusal.detail)


# -- forms ------------------------------------------------------------------------------------------


@dataclass
class FormInput:
    """A posted form read into command fields; bad dates and numbers become field errors."""

    form: FormData
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        value = self.form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    def flag(self, name: str) -> bool:
        return self.form.get(name) in ("on", "true", "1", "yes")

    def many(self, name: str) -> list[str]:
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str) and v.strip()]

    def date(self, name: str, error_field: str | None = None) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            return parse_ru_date(text).isoformat()
        except ValueError:
            self.errors[error_field or name] = "Дата в формате ДД.ММ.ГГГГ, например 01.09.2023"
            return None

    def integer(self, name: str, error_field: str | None = None) -> int | str | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            return int(text.replace(" ", ""))
        except ValueError:
            self.errors[error_field or name] = "Нужно целое число"
            return text


async def form_input(request: Request) -> FormInput:
    """Dependency: the posted form (read once; the CSRF guard has read it already)."""
    return FormInput(await request.form())


PostedForm = Annotated[FormInput, Depends(form_input)]
"""A sync endpoint's posted form: `def page(request, staff: CurrentStaff, form: PostedForm)`."""


@dataclass
class Outcome:
    """What a command from a form came to: recorded (`result`) or refused (errors by field)."""

    result: WriteResult | None = None
    errors: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


def execute(
    request: Request,
    staff: SignedIn,
    command_type: type[Command],
    data: dict[str, Any],
    form: FormInput | None = None,
    item_attr: str | None = None,
) -> Outcome:
    """Validate and run a command exactly as the API's write routes do (same parse, same
    `Registry.execute`, same catch-up); refusals come back as Russian messages by field."""
    errors = dict(form.errors) if form is not None else {}
    try:
        command = parse_command(command_type, _present(data))
    except RegistryError as error:
        return _refused(error, errors)
    if errors:
        return Outcome(errors=errors, message="Исправьте отмеченные поля")
    try:
        return Outcome(result=run_command(request, Response(), command, staff.actor, item_attr))
    except RegistryError as error:
        return _refused(error, errors)


@dataclass(frozen=True)
class Step:
    """One command of several recorded together; `data` gets the first command's aggregate id
    (a placeholder while validating); its errors are shown under `prefix` + field."""

    command_type: type[Command]
    data: Callable[[UUID], dict[str, Any]]
    prefix: str = ""


_PLACEHOLDER = UUID(int=0)


def execute_together(
    request: Request, staff: SignedIn, steps: Sequence[Step], form: FormInput | None = None
) -> Outcome:
    """Several commands recorded all together or not at all (one `Registry.batch()`), e.g. an
    application and its consent; validated first, every step's errors at once."""
    errors = dict(form.errors) if form is not None else {}
    for step in steps:
        try:
            parse_command(step.command_type, _present(step.data(_PLACEHOLDER)))
        except RegistryError as error:
            for problem in error.problems:
                errors.setdefault(step.prefix + problem.field, problem.message)
    if errors or not steps:
        return Outcome(errors=errors, message="Исправьте отмеченные поля")
    registry = request.app.state.registry
    batch = registry.batch()
    index = 0
    first: UUID | None = None
    try:
        for index, step in enumerate(steps):
            command = parse_command(step.command_type, _present(step.data(first or _PLACEHOLDER)))
            result = batch.execute(command, staff.actor)
            if index == 0:
                first = result.aggregate_id
        results = batch.commit()
    except RegistryError as error:
        step = steps[min(index, len(steps) - 1)]
        for problem in error.problems:
            errors.setdefault(step.prefix + problem.field, problem.message)
        refused = getattr(error, "error", error)  # a BatchRefused says which command; the person needs why
        return Outcome(errors=errors, message=refused.message)
    head = results[0]
    return Outcome(result=WriteResult(
        command_id=head.command_id, aggregate_id=head.aggregate_id, version=head.version,
        position=results[-1].position or registry.position(), events=sum(r.events for r in results),
        replayed=False,
    ))


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _refused(error: RegistryError, errors: dict[str, str]) -> Outcome:
    for problem in error.problems:
        errors.setdefault(problem.field, problem.message)
    if status_of(error) in (403, 404):
        return Outcome(errors=errors, message=error.message)
    return Outcome(errors=errors, message=error.message if not error.problems else "Исправьте отмеченные поля")


# -- reads ------------------------------------------------------------------------------------------


def scope(staff: SignedIn) -> ReadScope:
    return scope_of(staff.actor)


def chosen_year(request: Request, reader: ReadScope) -> int:
    """The year a dashboard shows: `?year=` when valid, else the latest year up to this one for
    which the reader's organizations reported a contingent (the indicators need it), else this year."""
    this_year = request.app.state.registry.clock().year
    asked = request.query_params.get("year", "")
    if asked.isdigit() and 2000 <= int(asked) <= this_year:
        return int(asked)
    with request.app.state.views.transaction(write=False) as tx:
        latest = latest_contingent_year(tx, reader.area, this_year)
    return latest if latest is not None else this_year


def api_read(call: Callable[..., T], request: Request, *args: Any, **kwargs: Any) -> T:
    """Call one of the API's read functions (`api.reads.*`) with this person's scope; its 404/403
    problems become the workspace's pages."""
    try:
        return call(request, Response(), *args, **kwargs)
    except ApiProblem as problem:
        title = "Не найдено" if problem.status == 404 else "Нет доступа"
        raise StaffRefusal(problem.status, title, problem.detail) from None


DOWNLOAD_PAGE = 1000
"""Rows a download reads per query: a whole list is read page after page, never cut at one."""


def every_item(call: Callable[..., Any], request: Request, *args: Any, **kwargs: Any) -> list[Any]:
    """Every item of an API list read (a download of the whole list), page after page."""
    items: list[Any] = []
    while True:
        found = api_read(call, request, *args, limit=DOWNLOAD_PAGE, offset=len(items), **kwargs)
        items += found.items
        if not found.items or len(items) >= found.total:
            return items


@dataclass(frozen=True)
class Paging:
    """A page of a list: offset and limit from the query string, and the links around it."""

    offset: int
    limit: int
    total: int
    base: str
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, request: Request, total: int = 0, limit: int = 50) -> Paging:
        try:
            offset = max(0, int(request.query_params.get("offset", "0")))
        except ValueError:
            offset = 0
        return cls(offset, limit, total, request.url.path)

    def link(self, offset: int) -> str:
        return f"{self.base}?{urlencode({**self.params, 'offset': offset})}"

    def download(self) -> str:
        """The same list as an Excel file."""
        return f"{self.base}?{urlencode({**self.params, 'format': 'xlsx'})}"

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.limit, self.total)

    @property
    def previous(self) -> str | None:
        return self.link(max(0, self.offset - self.limit)) if self.offset > 0 else None

    @property
    def next(self) -> str | None:
        return self.link(self.offset + self.limit) if self.offset + self.limit < self.total else None


# -- downloads --------------------------------------------------------------------------------------


def xlsx_download(filename: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> StreamingResponse:
    """A list as an Excel workbook: one sheet, a bold header row, dates as dd.mm.yyyy."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([ru_date(v) if isinstance(v, date) else v for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return StreamingResponse(
        buffer,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
