from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

import strawberry

from gateway.clients.contracts.tasks import TaskReply
from gateway.live.hub import LiveEvent
from gateway.schema.context import Info
from gateway.schema.coordination.management import leads_committee_of, manages
from gateway.schema.coordination.types import Task, TaskUpdate
from gateway.schema.permissions import COORDINATOR
from services.common.problems import DomainError


class TaskWatch:
    """Tells which events concern the coordinator: tasks of their organization or of a committee
    they lead. Task owners are shared by every subscription of the gateway (``live.task_owners``):
    the tasks service is asked about a task only when no task event told it yet, once for all
    subscribers."""

    def __init__(self, info: Info):
        self.info = info
        self.owners = info.context.gateway.task_owners

    async def concerns(self, user, event: LiveEvent) -> bool:
        if event.task_id is None:
            return False
        if event.kind == "task" and "organization_id" in event.data:
            self.owners.remember(event.task_id, event.data["organization_id"], event.data.get("committee_id"))
        if not self.owners.knows(event.task_id):
            try:
                data = await self.info.context.clients.tasks.get(await self.info.context.actor(), UUID(event.task_id))
            except DomainError:
                return False
            task = TaskReply.model_validate(data)
            self.owners.remember(event.task_id, task.organization_id, task.committee_id)
        return await self.manages(user, self.owners.get(event.task_id))

    async def manages(self, user, owners: dict[str, str | None]) -> bool:
        return manages(user, owners["organization_id"]) or await leads_committee_of(self.info, owners["committee_id"])

    async def current(self, task_id: str) -> Task | None:
        context = self.info.context
        context.refresh_loaders()  # fill and offers as they are now, not as first read on this connection
        try:
            data = await context.clients.tasks.get(await context.actor(), UUID(task_id))
        except DomainError:
            return None
        return Task.from_service(data, await context.loaders.skill_names())


@strawberry.type
class CoordinationSubscriptions:
    @strawberry.subscription(
        description="Changes to your organization's and your committees' tasks: posted, "
        "edited, offers answered, filled.",
        permission_classes=COORDINATOR,
    )
    async def task_updates(self, info: Info) -> AsyncGenerator[TaskUpdate, None]:
        user = await info.context.require_user()
        watch = TaskWatch(info)
        async with info.context.gateway.hub.subscribe() as subscriber:
            async for event in subscriber.events():
                if event.task_id is not None and await watch.concerns(user, event):
                    yield TaskUpdate(
                        kind=event.type, task_id=strawberry.ID(event.task_id), task=await watch.current(event.task_id)
                    )
