"""Public types. Built field by field from an allow-list: nothing else a service returns can leak."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types.base import get_object_definition

from gateway.schema.enums import SkillLevel, TaskStatus, Urgency, from_wire
from gateway.schema.pagination import PageInfo
from gateway.schema.problems import NotFound, StateConflict, Unavailable, ValidationProblem
from gateway.schema.wire import parse_datetime


@strawberry.type(description="A skill from the coalition's taxonomy.")
class Skill:
    slug: str
    name: str
    description: str

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Skill":
        return cls(slug=data["slug"], name=data["name"], description=data.get("description") or "")


@strawberry.type(description="A neighbourhood or area tasks happen in (public geography, never an address).")
class Area:
    slug: str
    name: str
    city: str
    parent: str | None = strawberry.field(description="Slug of the city or region containing this area")
    latitude: float | None = strawberry.field(description="Coarse centre of the area, degrees north")
    longitude: float | None = strawberry.field(description="Coarse centre of the area, degrees east")

    @classmethod
    def from_service(cls, data: dict[str, Any]) -> "Area":
        return cls(
            slug=data["slug"],
            name=data["name"],
            city=data.get("city") or "",
            parent=data.get("parent"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )


# --- Editing the taxonomy (admins): each kind's own inputs, sent through the same path --------


@strawberry.input
class SkillInput:
    slug: str
    name: str
    description: str = ""


@strawberry.input
class SkillUpdateInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    retired: bool | None = strawberry.UNSET


@strawberry.input
class AreaInput:
    slug: str
    name: str
    city: str
    parent: str | None = strawberry.field(default=None, description="Slug of the city or region containing it")
    latitude: float | None = strawberry.field(default=None, description="Coarse centre, degrees north")
    longitude: float | None = strawberry.field(default=None, description="Coarse centre, degrees east")


@strawberry.input(description="Area changes; only the fields given change.")
class AreaUpdateInput:
    name: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    parent: str | None = strawberry.UNSET
    latitude: float | None = strawberry.UNSET
    longitude: float | None = strawberry.UNSET
    retired: bool | None = strawberry.UNSET


TermInput = SkillInput | SkillUpdateInput | AreaInput | AreaUpdateInput

SkillResult = Annotated[
    Skill | ValidationProblem | StateConflict | NotFound | Unavailable, strawberry.union("SkillResult")
]
AreaResult = Annotated[
    Area | ValidationProblem | StateConflict | NotFound | Unavailable, strawberry.union("AreaResult")
]


def sent(input: TermInput) -> dict[str, Any]:
    """The members-service body for a taxonomy input: every field given and not null. An update
    leaves out what it does not change; no taxonomy field is cleared by sending null."""
    fields = get_object_definition(input, strict=True).fields
    values = {field.python_name: getattr(input, field.python_name) for field in fields}
    return {name: value for name, value in values.items() if value is not strawberry.UNSET and value is not None}


@strawberry.type(description="A skill a task needs, at least at the given level.")
class SkillNeed:
    skill: str = strawberry.field(description="Skill slug")
    name: str = strawberry.field(description="Skill name, for display")
    min_level: SkillLevel

    @classmethod
    def from_service(cls, data: dict[str, Any], skill_names: dict[str, str]) -> "SkillNeed":
        slug = data["skill"]
        return cls(
            skill=slug,
            name=skill_names.get(slug, slug),
            min_level=from_wire(SkillLevel, data.get("min_level", "learning")),
        )


@strawberry.type(description="A task as anyone may see it: no personal data, no exact address.")
class PublicTask:
    id: strawberry.ID
    title: str
    summary: str
    skills: list[SkillNeed]
    languages: list[str]
    area: str | None
    area_name: str | None
    remote: bool
    starts_at: datetime | None
    ends_at: datetime | None
    deadline: datetime | None
    urgency: Urgency
    time_zone: str = strawberry.field(description="IANA zone the task happens in; show its times there")
    slots: int
    open_slots: int
    status: TaskStatus

    @classmethod
    def from_service(
        cls, data: dict[str, Any], skill_names: dict[str, str], area_names: dict[str, str]
    ) -> "PublicTask":
        area = data.get("area")
        return cls(
            id=strawberry.ID(str(data["id"])),
            title=data["title"],
            summary=data.get("summary") or "",
            skills=[SkillNeed.from_service(need, skill_names) for need in data.get("skills") or []],
            languages=list(data.get("languages") or []),
            area=area,
            area_name=area_names.get(area) if area else None,
            remote=bool(data.get("remote")),
            starts_at=parse_datetime(data.get("starts_at")),
            ends_at=parse_datetime(data.get("ends_at")),
            deadline=parse_datetime(data.get("deadline")),
            urgency=Urgency(data.get("urgency") or "normal"),
            time_zone=data["time_zone"],
            slots=data["slots"],
            open_slots=max(0, data["slots"] - int(data.get("accepted_count") or 0)),
            status=TaskStatus(data["status"]),
        )


@strawberry.type
class PublicTaskPage:
    nodes: list[PublicTask]
    total_count: int
    page_info: PageInfo


@strawberry.input(description="Narrow the open tasks down; every given condition must hold.")
class OpenTaskFilter:
    skills: list[str] | None = strawberry.field(
        default=None,
        description="Skill slugs: tasks needing ANY of them (at least one, not all), at most 20. "
        "Empty or null: no condition on skills.",
    )
    skill: str | None = strawberry.field(
        default=None,
        description="Skill slug: tasks needing this skill",
        deprecation_reason="Use skills: [slug] (tasks needing any of the given skills).",
    )
    language: str | None = None
    area: str | None = None
    remote: bool | None = None


@strawberry.type(description="A task opened, changed, filled or closed. Refetch openTasks to see it.")
class OpenTaskChange:
    task_id: strawberry.ID
    status: TaskStatus | None
    kind: str = strawberry.field(description="What happened, e.g. task.posted, fill.completed, task.cancelled")
