"""The public lookup's JSON answers as published (OpenAPI schemas of `api.public`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from projections.public import COUNT_WINDOW


class PublicUnit(BaseModel):
    id: str
    name: str


class PublicForm(BaseModel):
    code: str = Field(description="Код формы в справочнике региона")
    title: str


class PublicTraining(BaseModel):
    course: str
    provider: str
    year: int = Field(description="Год окончания обучения")


class PublicMentor(BaseModel):
    """A mentor as published: a field the mentor did not consent to publish is absent."""

    id: str
    full_name: str | None = None
    organization: PublicUnit | None = None
    municipality: PublicUnit | None = None
    forms: list[PublicForm] | None = None
    subjects: list[str] | None = None
    trainings: list[PublicTraining] | None = None


class PublicMentorPage(BaseModel):
    position: int = Field(description="Позиция журнала событий, которую отражает ответ")
    total: int = Field(
        description=f"Сколько наставников подходит; при `total_is_lower_bound` — нижняя граница: "
        f"совпадения считаются только до offset + {COUNT_WINDOW}"
    )
    total_is_lower_bound: bool = Field(
        False, description=f"Подходит больше, чем `total` (больше offset + {COUNT_WINDOW}): точное число не считается"
    )
    limit: int
    offset: int
    items: list[PublicMentor]


class PublicOption(BaseModel):
    value: str
    title: str
    count: int = Field(description="Сколько опубликованных наставников подходит")


class PublicFilters(BaseModel):
    position: int
    total: int
    municipalities: list[PublicOption]
    organizations: list[PublicOption]
    forms: list[PublicOption]
    subjects: list[PublicOption]


__all__ = ["PublicFilters", "PublicMentor", "PublicMentorPage", "PublicOption"]
