"""The SQL of the units' reads: municipalities, organizations with their contingents and their
implementation checklist, the checklists by organization, the regions and the yearly targets,
and the units the import refers to by name.

Lists are narrowed to the reader's `Area` and paged, filtered and sorted in SQL (`read_sql`);
the contingents and checklists are read for the page's organizations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.read_sql import WHOLE_REGION, Area, Where, count, dicts, grouped, paging
from projections.reference_reads import checklist_items
from projections.store import Tx


def municipalities(tx: Tx, area: Area) -> list[dict[str, Any]]:
    """The municipalities of the area (id, name, region, code), by region and name."""
    where = Where().add(*area.municipality_condition("id"))
    return dicts(
        tx, f"SELECT id, name, region, code FROM {{p}}municipalities{where} ORDER BY region, name, id",
        where.params, ["id", "name", "region", "code"],
    )


def unit_choices(tx: Tx, area: Area) -> dict[str, list[tuple[str, str]]]:
    """(id, name) of the municipalities and the organizations of the area, by name: what a list
    may be narrowed to."""
    municipalities_in = Where().add(*area.municipality_condition("id"))
    organizations_in = Where().area(area, "o.id", "o.municipality_id")
    return {
        "municipalities": [
            (str(i), str(name)) for i, name in tx.rows(
                f"SELECT id, name FROM {{p}}municipalities{municipalities_in} ORDER BY name, id",
                municipalities_in.params)
        ],
        "organizations": [
            (str(i), str(name)) for i, name in tx.rows(
                f"SELECT o.id, o.name FROM {{p}}organizations o{organizations_in} ORDER BY o.name, o.id",
                organizations_in.params)
        ],
    }


# -- organizations -------------------------------------------------------------------------------

_ORG_COLUMNS = [
    "id", "name", "kind", "municipality_id", "municipality", "inn", "registered_on", "closed_on",
    "close_reason",
]
_ORG_SQL = (
    "SELECT o.id, o.name, o.kind, o.municipality_id, mu.name, o.inn, o.registered_on, o.closed_on, "
    "o.close_reason FROM {p}organizations o LEFT JOIN {p}municipalities mu ON mu.id = o.municipality_id"
)
FIGURES = ["students_total", "students_10_19", "students_15_19", "students_extra", "teachers_total",
           "young_teachers"]
_CHECKLIST_COLUMNS = ["item", "completed_on", "document_number", "document_issued_on", "document_link"]


@dataclass(frozen=True)
class OrganizationFilter:
    """What a list of organizations is narrowed to (None: not narrowed)."""

    municipality_id: str | None = None
    organization_id: str | None = None
    kind: str | None = None

    def where(self, area: Area) -> Where:
        where = Where().area(area, "o.id", "o.municipality_id").eq("o.municipality_id", self.municipality_id)
        return where.eq("o.id", self.organization_id).eq("o.kind", self.kind)


def _checklist(items: list[tuple[str, str, bool]], done: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every current item of the region's checklist (done or not), then other items done."""
    by_item = {d["item"]: d for d in done}
    titles = {code: title for code, title, _ in items}
    listed = [code for code, _, retired in items if not retired]
    extra = sorted(set(by_item) - set(listed))
    return [
        {**by_item.get(code, {}), "item": code, "title": titles.get(code, code), "done": code in by_item}
        for code in [*listed, *extra]
    ]


def _with_contingents_and_checklist(tx: Tx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [i["id"] for i in items]
    contingents = grouped(
        tx,
        f"SELECT organization_id, year, {', '.join(FIGURES)}, corrections FROM {{p}}contingents "
        "WHERE organization_id IN ({ids}) ORDER BY organization_id, year",
        ids,
        ["year", *FIGURES, "corrections"],
    )
    done = grouped(
        tx,
        "SELECT organization_id, item, completed_on, document_number, document_issued_on, document_link "
        "FROM {p}checklist WHERE organization_id IN ({ids}) ORDER BY organization_id, item",
        ids,
        _CHECKLIST_COLUMNS,
    )
    regional = checklist_items(tx)
    current = {code for code, _, retired in regional if not retired}
    for item in items:
        item["contingents"] = contingents.get(item["id"], [])
        item["checklist"] = _checklist(regional, done.get(item["id"], []))
        finished = {entry["item"] for entry in item["checklist"] if entry["done"]}
        item["checklist_done"] = len(finished & current)
        item["checklist_complete"] = bool(current) and current <= finished
    return items


def organization_page(
    tx: Tx, area: Area, chosen: OrganizationFilter, limit: int | None, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """(how many match, this page of them) by municipality and name, each with its contingents
    by year and the region's checklist (`done` per item, `checklist_done`, `checklist_complete`)."""
    where = chosen.where(area)
    total = count(tx, f"SELECT COUNT(*) FROM {{p}}organizations o{where}", where.params)
    items = dicts(tx, f"{_ORG_SQL}{where} ORDER BY mu.name, o.name, o.id{paging(limit, offset)}", where.params,
                  _ORG_COLUMNS)
    return total, _with_contingents_and_checklist(tx, items)


def organization_by_id(tx: Tx, organization_id: str) -> dict[str, Any] | None:
    """One organization as `organization_page` gives it, whatever the reader's area (units are not
    secret: the caller refuses one outside it), or None."""
    return next(iter(organization_page(tx, WHOLE_REGION, OrganizationFilter(organization_id=organization_id), 1)[1]),
                None)


def latest_contingent_year(tx: Tx, area: Area, up_to: int) -> int | None:
    """The latest year up to `up_to` for which an organization of the area reported a contingent."""
    condition, params = area.condition("organization_id")
    found = tx.one(f"SELECT MAX(year) FROM {{p}}contingents WHERE year <= %s AND {condition}", [up_to, *params])
    return None if found is None or found[0] is None else int(found[0])


# -- regions and targets -------------------------------------------------------------------------


def regions(tx: Tx) -> list[tuple[str, str]]:
    """(code, name) of the registered regions, by code."""
    return [(str(code), str(name)) for code, name in tx.rows("SELECT code, name FROM {p}regions ORDER BY code")]


def targets(tx: Tx) -> list[dict[str, Any]]:
    """The targets set: indicator, unit (its kind, id and registered name), year and share."""
    return dicts(
        tx,
        "SELECT p.indicator, p.unit_kind, p.unit_id, COALESCE(mu.name, o.name, r.name, p.unit_id), t.year, "
        "t.share_percent FROM {p}targets t JOIN {p}target_plans p ON p.id = t.plan_id "
        "LEFT JOIN {p}municipalities mu ON p.unit_kind = 'municipality' AND mu.id = p.unit_id "
        "LEFT JOIN {p}regions r ON p.unit_kind = 'region' AND r.code = p.unit_id "
        "LEFT JOIN {p}organizations o ON p.unit_kind = 'organization' AND o.id = p.unit_id "
        "ORDER BY p.indicator, p.unit_kind, p.unit_id, t.year",
        [],
        ["indicator", "unit_kind", "unit_id", "unit", "year", "share_percent"],
    )


# -- the units the import refers to ----------------------------------------------------------------


def every_municipality(tx: Tx) -> list[tuple[str, str, str | None]]:
    """(id, name, code) of every municipality."""
    return [(str(i), str(name), code) for i, name, code in tx.rows("SELECT id, name, code FROM {p}municipalities")]


def every_organization(tx: Tx) -> list[tuple[str, str, str | None, str]]:
    """(id, name, inn, municipality id) of every organization."""
    return [
        (str(i), str(name), inn, str(municipality))
        for i, name, inn, municipality in tx.rows("SELECT id, name, inn, municipality_id FROM {p}organizations")
    ]
