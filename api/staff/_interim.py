"""TEMPORARY stand-ins for the staff foundation (branch `ws`), until it is merged: removed then."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.auth import current_actor
from api.problems import ApiProblem
from api.staff.record_history import ru_date
from registry.values import Actor, Role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["ru_date"] = ru_date

StaffActor = Annotated[Actor, Depends(current_actor)]


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise ApiProblem(403, "forbidden", "Эта страница недоступна вашей роли")


def render_page(request: Request, actor: Actor, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    html = templates.get_template(template).render(csrf_token="interim", actor=actor, layout="staff/_interim_base.html.j2", **context)
    return HTMLResponse(html, status_code=status)


def check_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    return None


Csrf = Annotated[None, Depends(check_csrf)]


def xlsx_response(filename: str, title: str, header: list[str], rows: list[list[Any]]) -> Response:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
