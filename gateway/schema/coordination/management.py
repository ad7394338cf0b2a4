"""Which tasks a coordinator manages: those of the organization they act for and those of the
committees they lead (as the tasks service decides too), and which volunteers' contacts they may
therefore read."""

from __future__ import annotations

from uuid import UUID

from gateway.clients.contracts.tasks import TaskReply
from gateway.models import User
from gateway.schema.context import Info
from services.common.problems import Forbidden, NotFound

CONTACT_PURPOSE = "coordinate_accepted_task"


def manages(user: User, organization_id: UUID | str | None) -> bool:
    """Whether the task's organization is the one the coordinator acts for."""
    return user.organization_id is not None and str(organization_id) == str(user.organization_id)


async def leads_committee_of(info: Info, committee_id: UUID | str | None) -> bool:
    """Whether the task's committee is one the signed-in coordinator leads."""
    return committee_id is not None and str(committee_id) in {
        str(c.id) for c in await info.context.loaders.led_committees()
    }


async def managed_task(info: Info, task_id: UUID) -> TaskReply:
    """The task, if the signed-in coordinator manages it; NotFound otherwise (no existence leak)."""
    user = await info.context.require_user()
    task = await info.context.loaders.task.load(task_id)
    if isinstance(task, Exception) or not (
        manages(user, task.organization_id) or await leads_committee_of(info, task.committee_id)
    ):
        raise NotFound("No such task among your organization's or your committees' tasks.")
    return task


async def accepted_volunteer_contact(info: Info, task_id: UUID, member_id: UUID) -> dict:
    """A volunteer's shared contact details, only once they accepted this coordinator's task.

    The members service writes an audit entry for every read, naming the task.
    """
    await managed_task(info, task_id)
    fill = await info.context.loaders.fill.load(task_id)
    if member_id not in fill.accepted_member_ids:
        raise Forbidden("You can see a volunteer's contact details only after they accepted this task.")
    actor = await info.context.actor()
    return await info.context.clients.members.contact(actor, member_id, CONTACT_PURPOSE, task_id)
