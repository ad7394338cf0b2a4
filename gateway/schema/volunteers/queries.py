from __future__ import annotations

import strawberry

from gateway.clients.contracts.members import AuditPageReply
from gateway.schema.admin.types import AuditEntry
from gateway.schema.context import Info
from gateway.schema.pagination import window
from gateway.schema.permissions import VOLUNTEER
from gateway.schema.volunteers.types import ContactDetails

SELF_VIEW_PURPOSE = "member_data_request"


@strawberry.type
class VolunteerQueries:
    @strawberry.field(
        description="Your own contact details, as coordinators of accepted tasks would see them.",
        permission_classes=VOLUNTEER,
    )
    async def my_contact(self, info: Info) -> ContactDetails:
        member_id = await info.context.member_id()
        data = await info.context.clients.members.contact(await info.context.actor(), member_id, SELF_VIEW_PURPOSE)
        return ContactDetails.from_service(data)

    @strawberry.field(description="Who read or changed your data, when and why.", permission_classes=VOLUNTEER)
    async def my_audit_log(self, info: Info, first: int = 50) -> list[AuditEntry]:
        page_window = window(first, None, info.context.settings.max_page_size)
        page = await info.context.clients.members.audit(
            await info.context.actor(), await info.context.member_id(), page_window.limit, 0
        )
        return [AuditEntry.from_service(entry) for entry in AuditPageReply.model_validate(page).items]
