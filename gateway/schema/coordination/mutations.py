from __future__ import annotations

from uuid import UUID

import strawberry

from gateway.clients.contracts.tasks import CommitteeReply, TaskCreateBody, TaskFields
from gateway.schema.context import Info
from gateway.schema.coordination.management import managed_task
from gateway.schema.coordination.types import Task, TaskInput, TaskResult, TaskUpdateInput, task_fields
from gateway.schema.permissions import COORDINATOR
from gateway.schema.problems import returns_problems
from gateway.schema.wire import parse_id


async def as_task(info: Info, data: dict) -> Task:
    info.context.gateway.cache.invalidate_tasks()  # the public list may have changed; do not wait for Kafka
    return Task.from_service(data, await info.context.loaders.skill_names())


def payload_committee(input: TaskInput) -> UUID | None:
    return parse_id(input.committee_id, "committeeId") if input.committee_id else None


async def posting_organization(info: Info, committee_id: UUID | None) -> UUID | None:
    """A task of an organization's committee is that organization's, whoever of its leads posts it."""
    if committee_id is None:
        return None
    committee = await info.context.clients.tasks.committee(await info.context.actor(), committee_id)
    return CommitteeReply.model_validate(committee).organization_id


async def change_status(info: Info, task_id: strawberry.ID, action: str) -> Task:
    task = await managed_task(info, parse_id(task_id, "id"))
    data = await info.context.clients.tasks.transition(await info.context.actor(), task.id, action)
    return await as_task(info, data)


@strawberry.type
class CoordinationMutations:
    @strawberry.mutation(
        description="Post a task for your organization, or for a committee you lead; it opens to "
        "volunteers unless a draft.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(TaskResult)
    async def post_task(self, info: Info, input: TaskInput) -> TaskResult:
        user = await info.context.require_user()
        task = TaskCreateBody.model_validate(
            task_fields(input)
            | {
                "organization_id": await posting_organization(info, payload_committee(input)) or user.organization_id,
                "coordinator_id": user.id,
                "status": "draft" if input.draft else "open",
            }
        )
        return await as_task(info, await info.context.clients.tasks.create(await info.context.actor(), task))

    @strawberry.mutation(description="Change a task; only the fields given change.", permission_classes=COORDINATOR)
    @returns_problems(TaskResult)
    async def update_task(self, info: Info, id: strawberry.ID, input: TaskUpdateInput) -> TaskResult:
        task = await managed_task(info, parse_id(id, "id"))
        changes = TaskFields.model_validate(task_fields(input))
        data = await info.context.clients.tasks.update(await info.context.actor(), task.id, changes)
        return await as_task(info, data)

    @strawberry.mutation(description="Open a draft to volunteers.", permission_classes=COORDINATOR)
    @returns_problems(TaskResult)
    async def publish_task(self, info: Info, id: strawberry.ID) -> TaskResult:
        return await change_status(info, id, "open")

    @strawberry.mutation(
        description="Cancel a task: it will not happen; offers are withdrawn.", permission_classes=COORDINATOR
    )
    @returns_problems(TaskResult)
    async def cancel_task(self, info: Info, id: strawberry.ID) -> TaskResult:
        return await change_status(info, id, "cancel")

    @strawberry.mutation(description="Close a task: it happened, or needs no one else.", permission_classes=COORDINATOR)
    @returns_problems(TaskResult)
    async def close_task(self, info: Info, id: strawberry.ID) -> TaskResult:
        return await change_status(info, id, "close")
