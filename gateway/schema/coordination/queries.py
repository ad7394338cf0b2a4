from __future__ import annotations

import strawberry

from gateway.clients.contracts.tasks import TaskPageReply
from gateway.schema.context import Info
from gateway.schema.coordination.management import accepted_volunteer_contact, managed_task
from gateway.schema.coordination.types import ContactResult, Task, TaskPage
from gateway.schema.enums import TaskStatus
from gateway.schema.pagination import DEFAULT_PAGE_SIZE, window
from gateway.schema.permissions import COORDINATOR
from gateway.schema.problems import returns_problems
from gateway.schema.volunteers.types import ContactDetails
from gateway.schema.wire import parse_id
from services.common.problems import DomainError


async def task_owner_filters(info: Info, user, whole_organization: bool, committee_id: strawberry.ID | None) -> dict:
    """Whose tasks ``myTasks`` lists: a lead sees all their committee's, others their organization's part."""
    if committee_id is None:
        return {"organization_id": user.organization_id, "coordinator_id": None if whole_organization else user.id}
    committee = str(parse_id(committee_id, "committeeId"))
    if committee in {str(c.id) for c in await info.context.loaders.led_committees()}:
        return {"committee_id": committee}
    return {
        "committee_id": committee,
        "organization_id": user.organization_id,
        "coordinator_id": None if whole_organization else user.id,
    }


@strawberry.type
class CoordinationQueries:
    @strawberry.field(
        description="Tasks you posted (or all of your organization's), soonest first; with "
        "committeeId, that committee's tasks (all of them if you lead it).",
        permission_classes=COORDINATOR,
    )
    async def my_tasks(
        self,
        info: Info,
        status: TaskStatus | None = None,
        whole_organization: bool = False,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        committee_id: strawberry.ID | None = None,
    ) -> TaskPage:
        context = info.context
        user = await context.require_user()
        page_window = window(first, after, context.settings.max_page_size)
        owner = await task_owner_filters(info, user, whole_organization, committee_id)
        answer = await context.clients.tasks.page(
            await context.actor(),
            **owner,
            status=status.value if status else None,
            limit=page_window.limit,
            offset=page_window.offset,
        )
        page = TaskPageReply.model_validate(answer)
        names = await context.loaders.skill_names()
        for task in page.items:
            context.loaders.task.prime(task.id, task)
        nodes = [Task.from_service(task, names) for task in page.items]
        return TaskPage(nodes=nodes, total_count=page.total, page_info=page_window.page_info(len(nodes), page.total))

    @strawberry.field(description="One of your organization's tasks.", permission_classes=COORDINATOR)
    async def task(self, info: Info, id: strawberry.ID) -> Task | None:
        try:
            data = await managed_task(info, parse_id(id, "id"))
        except DomainError:
            return None
        return Task.from_service(data, await info.context.loaders.skill_names())

    @strawberry.field(
        description="How to reach a volunteer who accepted your task. Every read is audited.",
        permission_classes=COORDINATOR,
    )
    @returns_problems(ContactResult)
    async def volunteer_contact(self, info: Info, task_id: strawberry.ID, member_id: strawberry.ID) -> ContactResult:
        data = await accepted_volunteer_contact(info, parse_id(task_id, "taskId"), parse_id(member_id, "memberId"))
        return ContactDetails.from_service(data)
