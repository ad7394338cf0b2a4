"""Public types. Built field by field from an allow-list: nothing else a service returns can leak."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types.base import get_object_definition

from gateway.clients.contracts import Json
from gateway.clients.contracts.members import (
    AreaBody,
    AreaChangesBody,
    AreaReply,
    SkillBody,
    SkillChangesBody,
    SkillReply,
    TermBody,
)
from gateway.clients.contracts.tasks import SkillNeedReply, TaskReply
from gateway.schema.enums import SkillLevel, TaskStatus, Urgency
from gateway.schema.pagination import PageInfo
from gateway.schema.problems import NotFound, StateConflict, Unavailable, ValidationProblem


@strawberry.type(description="A skill from the coalition's taxonomy.")
class Skill:
    slug: str
    name: str
    description: str

    @classmethod
    def from_service(cls, data: Json | SkillReply) -> "Skill":
        skill = SkillReply.model_validate(data)
        return cls(slug=skill.slug, name=skill.name, description=skill.description)


@strawberry.type(description="A neighbourhood or area tasks happen in (public geography, never an address).")
class Area:
    slug: str
    name: str
    city: str
    parent: str | None = strawberry.field(description="Slug of the city or region containing this area")
    latitude: float | None = strawberry.field(description="Coarse centre of the area, degrees north")
    longitude: float | None = strawberry.field(description="Coarse centre of the area, degrees east")

    @classmethod
    def from_service(cls, data: Json | AreaReply) -> "Area":
        area = AreaReply.model_validate(data)
        return cls(
            slug=area.slug,
            name=area.name,
            city=area.city,
            parent=area.parent,
            latitude=area.latitude,
            longitude=area.longitude,
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


# The members-service body each taxonomy input is sent as.
TERM_BODIES: dict[type[TermInput], type[TermBody]] = {
    SkillInput: SkillBody,
    SkillUpdateInput: SkillChangesBody,
    AreaInput: AreaBody,
    AreaUpdateInput: AreaChangesBody,
}


def term_body(input: TermInput) -> TermBody:
    """The members-service body for a taxonomy input: every field given and not null. An update
    leaves out what it does not change; no taxonomy field is cleared by sending null."""
    fields = get_object_definition(input, strict=True).fields
    values = {field.python_name: getattr(input, field.python_name) for field in fields}
    given = {name: value for name, value in values.items() if value is not strawberry.UNSET and value is not None}
    return TERM_BODIES[type(input)].model_validate(given)


@strawberry.type(description="A skill a task needs, at least at the given level.")
class SkillNeed:
    skill: str = strawberry.field(description="Skill slug")
    name: str = strawberry.field(description="Skill name, for display")
    min_level: SkillLevel

    @classmethod
    def from_service(cls, data: Json | SkillNeedReply, skill_names: dict[str, str]) -> "SkillNeed":
        need = SkillNeedReply.model_validate(data)
        return cls(skill=need.skill, name=skill_names.get(need.skill, need.skill), min_level=SkillLevel(need.min_level))


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
        cls, data: Json | TaskReply, skill_names: dict[str, str], area_names: dict[str, str]
    ) -> "PublicTask":
        task = TaskReply.model_validate(data)
        return cls(
            id=strawberry.ID(str(task.id)),
            title=task.title,
            summary=task.summary,
            skills=[SkillNeed.from_service(need, skill_names) for need in task.skills],
            languages=list(task.languages),
            area=task.area,
            area_name=area_names.get(task.area) if task.area else None,
            remote=task.remote,
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            deadline=task.deadline,
            urgency=Urgency(task.urgency.value),
            time_zone=task.time_zone,
            slots=task.slots,
            open_slots=max(0, task.slots - task.accepted_count),
            status=TaskStatus(task.status.value),
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
