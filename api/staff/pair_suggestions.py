"""The «Подобрать наставника» step of the curator's pair form: a plain GET with the chosen
mentees, form, start date (and subject), answered by the API's own suggestions
(`api.suggestions`, rules in `projections.suggestions`), best first, each with its reasons;
choosing one is a link that fills the form's mentor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Request

from api import suggestions as api_suggestions
from api.staff import pages
from api.staff.session import SignedIn


@dataclass
class Suggested:
    """What the step found: suggestions (with the link choosing each), or why it could not look."""

    asked: bool = False
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def label_of(item: Any) -> str:
    """How a suggested mentor is named in the form (a stranger's name only if published)."""
    name = item.full_name or "наставник другой организации (имя не опубликовано)"
    place = f" — {item.organization}" if item.organization and item.organization_id else ""
    free = "без ограничения мест" if item.free is None else f"свободно мест: {item.free}"
    return f"{name}{place}, {free}"


def suggested(request: Request, staff: SignedIn) -> Suggested:
    """Run the step when the form asked for it (`?suggest=1`)."""
    query = request.query_params
    if not query.get("suggest"):
        return Suggested()
    found = Suggested(asked=True)
    mentee_ids: list[UUID] = []
    for text in query.getlist("mentee_ids"):
        try:
            mentee_ids.append(UUID(text))
        except ValueError:
            found.errors["mentee_ids"] = "Неизвестный наставляемый"
    if not mentee_ids:
        found.errors["mentee_ids"] = "Отметьте наставляемых, для которых подбирается наставник"
    form = query.get("form") or ""
    if not form:
        found.errors["form"] = "Выберите форму наставничества: наставник должен её вести"
    starts_on = None
    if query.get("started_on"):
        try:
            starts_on = pages.parse_ru_date(query["started_on"])
        except ValueError:
            found.errors["started_on"] = "Дата в формате ДД.ММ.ГГГГ, например 01.09.2023"
    if found.errors:
        return found
    answer = pages.api_read(api_suggestions._suggestions, request, pages.scope(staff), mentee_ids, form,
                            query.get("subject") or None, starts_on, None, 20)
    base = [(k, v) for k, v in query.multi_items() if k not in ("mentor_id", "csrf_token")]
    found.items = [
        {"item": item, "label": label_of(item),
         "choose": "/staff/pairs/new?" + urlencode([*base, ("mentor_id", item.mentor_id)]) + "#f-mentor_id"}
        for item in answer.items
    ]
    return found
