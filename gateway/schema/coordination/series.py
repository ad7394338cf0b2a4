"""Needs that repeat, for coordinators: post a series, change this occurrence and the following
ones, cancel what is to come. Each occurrence is a ``Task`` like any other."""

from __future__ import annotations

import enum
from datetime import date, time
from typing import Annotated
from uuid import UUID

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.tasks import FollowingChangesBody, RepeatBody, SeriesCreateBody, SeriesReply
from gateway.schema.context import Info
from gateway.schema.coordination.management import managed_task
from gateway.schema.coordination.mutations import payload_committee, posting_organization
from gateway.schema.coordination.types import Task, TaskInput, TaskUpdateInput, task_fields
from gateway.schema.permissions import COORDINATOR
from gateway.schema.problems import (
    NotAllowed,
    NotFound,
    StateConflict,
    Unavailable,
    ValidationProblem,
    returns_problems,
)
from gateway.schema.wire import parse_id
from services.common.problems import Invalid
from services.common.problems import NotFound as NotFoundError


@strawberry.enum
class Frequency(enum.Enum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@strawberry.input(description="How a task repeats; it ends on a date (until) or after a number of times (count).")
class RepeatInput:
    frequency: Frequency = strawberry.field(description="WEEKLY, or MONTHLY on the first date's nth weekday")
    every_two_weeks: bool = False
    until: date | None = None
    count: int | None = None


@strawberry.input(description="A need that repeats: its first occurrence (a time window) and how it repeats.")
class SeriesInput:
    task: TaskInput
    repeat: RepeatInput


@strawberry.input(description="Changes to one occurrence and every later one; only the fields given change.")
class FollowingUpdateInput(TaskUpdateInput):
    local_start: time | None = strawberry.field(default=strawberry.UNSET, description="New local start time")
    duration_minutes: int | None = strawberry.UNSET


@strawberry.type(description="A need that repeats; its occurrences are posted ahead, each a task of its own.")
class Series:
    id: strawberry.ID
    rule: str = strawberry.field(description="RFC 5545 RRULE, in the series' time zone")
    time_zone: str
    status: str
    duration_minutes: int
    occurrences_posted: int
    task_ids: strawberry.Private[list[str]]

    @classmethod
    def from_service(cls, data: Json) -> "Series":
        series = SeriesReply.model_validate(data)
        return cls(
            id=strawberry.ID(str(series.id)),
            rule=series.rule,
            time_zone=series.time_zone,
            status=series.status,
            duration_minutes=series.duration_minutes,
            occurrences_posted=series.occurrences_posted,
            task_ids=[str(t) for t in series.task_ids],
        )

    @strawberry.field(description="Its occurrences posted so far, in order.")
    async def tasks(self, info: Info) -> list[Task]:
        names = await info.context.loaders.skill_names()
        found = await info.context.loaders.task.load_many([UUID(t) for t in self.task_ids])
        return [Task.from_service(data, names) for data in found if not isinstance(data, Exception)]


SeriesResult = Annotated[
    Series | ValidationProblem | NotAllowed | NotFound | StateConflict | Unavailable, strawberry.union("SeriesResult")
]


def repeat_body(repeat: RepeatInput) -> RepeatBody:
    if repeat.every_two_weeks and repeat.frequency is Frequency.MONTHLY:
        raise Invalid(
            "A monthly series repeats every month.", errors=[{"field": "everyTwoWeeks", "message": "weekly only"}]
        )
    return RepeatBody(
        frequency=repeat.frequency.value,
        interval=2 if repeat.every_two_weeks else 1,
        until=repeat.until,
        count=repeat.count,
    )


async def series_task(info: Info, series_id: UUID) -> SeriesReply:
    """The series, if the signed-in coordinator manages its occurrences; NotFound otherwise."""
    series = SeriesReply.model_validate(await info.context.clients.tasks.series(await info.context.actor(), series_id))
    if not series.task_ids:
        raise NotFoundError("No such series among your tasks.")
    await managed_task(info, series.task_ids[0])
    return series


@strawberry.type
class SeriesMutations:
    @strawberry.mutation(
        description="Post a need that repeats; its occurrences are posted four weeks ahead.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(SeriesResult)
    async def post_series(self, info: Info, input: SeriesInput) -> SeriesResult:
        user = await info.context.require_user()
        organization = await posting_organization(info, payload_committee(input.task)) or user.organization_id
        series = SeriesCreateBody.model_validate(
            task_fields(input.task)
            | {
                "organization_id": organization,
                "coordinator_id": user.id,
                "status": "draft" if input.task.draft else "open",
                "repeat": repeat_body(input.repeat),
            }
        )
        data = await info.context.clients.tasks.create_series(await info.context.actor(), series)
        info.context.gateway.cache.invalidate_tasks()
        return Series.from_service(data)

    @strawberry.mutation(
        description="Change this occurrence and the following ones (updateTask changes one alone).",
        permission_classes=COORDINATOR,
    )
    @returns_problems(SeriesResult)
    async def update_following(
        self, info: Info, series_id: strawberry.ID, from_task_id: strawberry.ID, input: FollowingUpdateInput
    ) -> SeriesResult:
        task = await managed_task(info, parse_id(from_task_id, "fromTaskId"))
        changes = FollowingChangesBody.model_validate(task_fields(input))
        if input.local_start:
            changes.local_start = input.local_start.isoformat(timespec="minutes")
        if input.duration_minutes:
            changes.duration_minutes = input.duration_minutes
        data = await info.context.clients.tasks.update_following(
            await info.context.actor(), parse_id(series_id, "seriesId"), task.id, changes
        )
        info.context.gateway.cache.invalidate_tasks()
        info.context.refresh_loaders()  # the occurrences as they are now, not as read before the change
        return Series.from_service(data)

    @strawberry.mutation(
        description="Cancel a series: its occurrences still to come are cancelled and the "
        "volunteers who accepted them are told.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(SeriesResult)
    async def cancel_series(self, info: Info, series_id: strawberry.ID) -> SeriesResult:
        series = await series_task(info, parse_id(series_id, "seriesId"))
        data = await info.context.clients.tasks.cancel_series(await info.context.actor(), series.id)
        info.context.gateway.cache.invalidate_tasks()
        info.context.refresh_loaders()
        return Series.from_service(data)
