from __future__ import annotations

from uuid import UUID

import strawberry

from gateway.schema.context import Info
from gateway.schema.coordination.ownership import accepted_volunteer_contact, managed_task
from gateway.schema.coordination.types import ContactResult, Task, TaskPage
from gateway.schema.enums import TaskStatus
from gateway.schema.pagination import DEFAULT_PAGE_SIZE, window
from gateway.schema.permissions import COORDINATOR
from gateway.schema.problems import returns_problems
from gateway.schema.volunteers.types import ContactDetails
from gateway.schema.wire import parse_id
from services.common.problems import DomainError


@strawberry.type
class CoordinationQueries:
    @strawberry.field(description="Tasks you posted (or all of your organization's), soonest first.",
                      permission_classes=COORDINATOR)
    async def my_tasks(self, info: Info, status: TaskStatus | None = None, whole_organization: bool = False,
                       first: int = DEFAULT_PAGE_SIZE, after: str | None = None) -> TaskPage:
        context = info.context
        user = await context.require_user()
        page_window = window(first, after, context.settings.max_page_size)
        page = await context.clients.tasks.page(
            await context.actor(), organization_id=user.organization_id,
            coordinator_id=None if whole_organization else user.id, status=status.value if status else None,
            limit=page_window.limit, offset=page_window.offset)
        names = await context.loaders.skill_names()
        for item in page["items"]:
            context.loaders.task.prime(UUID(str(item["id"])), item)
        nodes = [Task.from_service(item, names) for item in page["items"]]
        return TaskPage(nodes=nodes, total_count=page["total"], page_info=page_window.page_info(len(nodes), page["total"]))

    @strawberry.field(description="One of your organization's tasks.", permission_classes=COORDINATOR)
    async def task(self, info: Info, id: strawberry.ID) -> Task | None:
        try:
            data = await managed_task(info, parse_id(id, "id"))
        except DomainError:
            return None
        return Task.from_service(data, await info.context.loaders.skill_names())

    @strawberry.field(description="How to reach a volunteer who accepted your task. Every read is audited.",
                      permission_classes=COORDINATOR)
    @returns_problems(ContactResult)
    async def volunteer_contact(self, info: Info, task_id: strawberry.ID, member_id: strawberry.ID) -> ContactResult:
        data = await accepted_volunteer_contact(info, parse_id(task_id, "taskId"), parse_id(member_id, "memberId"))
        return ContactDetails.from_service(data)
