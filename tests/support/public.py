"""Helpers for the public lookup's tests (no tests here): mentors with secrets to keep, and what
the public sees of them through the JSON endpoint, the search page and the card page."""

from __future__ import annotations

import re
from typing import Any

import httpx

from support.world.api import ApiWorld

ALL_FIELDS = ["name", "organization", "municipality", "forms", "subjects", "training"]

#: What a mentor's application holds besides the publishable fields: none of it is ever public.
SECRETS = {
    "birth_date": "1979-04-23",
    "email": "secret.mentor@school.example",
    "phone": "+7 914 555-12-34",
    "snils": "112-233-445 95",
}
SECRET_TEXTS = [
    "1979-04-23", "23.04.1979", "secret.mentor", "555-12-34", "112-233-445",
    "учитель-методист высшей категории",  # position: not a publishable field
    "CERT-2724-SECRET",  # certificate number of a training
    "Причина-не-для-публики",  # reasons of status changes
    "Согласие-документ-77",  # the consent document's number
]

def new_mentor(
    world: ApiWorld,
    name: str,
    *,
    org: str | None = None,
    approve: bool = True,
    consent: list[str] | None = ALL_FIELDS,
    forms: tuple[str, ...] = ("teacher_teacher",),
    subjects: tuple[str, ...] = ("математика",),
    training: bool = True,
) -> str:
    """A mentor with personal data, a position, a training and a consent, as asked."""
    mentor_id = world.created(
        "/mentors",
        {
            "organization_id": org or world.org_a,
            "person": {"full_name": name, **SECRETS},
            "profile": {
                "position": "учитель-методист высшей категории",
                "mentor_type": "teacher",
                "forms": list(forms),
                "subjects": list(subjects),
            },
            "capacity": 5,
            "applied_on": "2020-09-01",
        },
    )
    if consent:
        world.write(
            f"/mentors/{mentor_id}/consent",
            {
                "fields": consent,
                "effective_date": "2020-09-01",
                "document": {"number": "Согласие-документ-77", "issued_on": "2020-09-01"},
            },
        )
    if approve:
        world.write(f"/mentors/{mentor_id}/approve", {"effective_date": "2020-09-15"})
        if training:
            world.write(
                f"/mentors/{mentor_id}/trainings",
                {
                    "course": "Наставничество в образовательной организации",
                    "provider": "ХК ИРО",
                    "hours": 36,
                    "completed_on": "2021-03-01",
                    "certificate_number": "CERT-2724-SECRET",
                },
            )
    return mentor_id


def public_json(world: ApiWorld, **params: Any) -> dict[str, Any]:
    response = world.client.get("/api/v1/public/mentors", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def public_ids(world: ApiWorld, **params: Any) -> list[str]:
    return [item["id"] for item in public_json(world, **params)["items"]]


def search_page(world: ApiWorld, **params: Any) -> httpx.Response:
    response = world.client.get("/", params=params)
    assert response.status_code == 200, response.text
    return response


def every_search_page(world: ApiWorld, **params: Any) -> str:
    """All pages of a search, concatenated."""
    texts = []
    page = 1
    while True:
        text = search_page(world, **params, page=page).text
        texts.append(text)
        if 'rel="next"' not in text:
            return "\n".join(texts)
        page += 1


def card(world: ApiWorld, mentor_id: str) -> httpx.Response:
    return world.client.get(f"/mentors/{mentor_id}")


def listed_ids(html: str) -> list[str]:
    return re.findall(r'href="/mentors/([0-9a-f-]{36})"', html)


def without_form(html: str) -> str:
    """A search page less its form (which shows back what the visitor typed)."""
    return re.sub(r"<form.*?</form>", "", html, flags=re.DOTALL)
