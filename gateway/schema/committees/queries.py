from __future__ import annotations

import strawberry

from gateway.schema.committees.types import Committee, CommitteeLead
from gateway.schema.context import Info
from gateway.schema.permissions import ADMIN, ANY_SIGNED_IN, COORDINATOR, VOLUNTEER
from gateway.schema.wire import parse_id


async def joined_committees(info: Info) -> list[Committee]:
    context = info.context
    joined = set(await context.clients.members.committees(await context.actor(), await context.member_id()))
    everyone = await context.clients.tasks.committees(await context.actor())
    return [Committee.from_service(c) for c in everyone if str(c.id) in joined]


@strawberry.type
class CommitteeQueries:
    @strawberry.field(
        description="The coalition's committees by name: all, or one organization's and the coalition's.",
        permission_classes=ANY_SIGNED_IN,
    )
    async def committees(self, info: Info, organization_id: strawberry.ID | None = None) -> list[Committee]:
        organization = parse_id(organization_id, "organizationId") if organization_id else None
        found = await info.context.clients.tasks.committees(await info.context.actor(), organization_id=organization)
        return [Committee.from_service(c) for c in found]

    @strawberry.field(description="The committees you joined.", permission_classes=VOLUNTEER)
    async def my_committees(self, info: Info) -> list[Committee]:
        return await joined_committees(info)

    @strawberry.field(description="The committees you lead: you manage their tasks.", permission_classes=COORDINATOR)
    async def led_committees(self, info: Info) -> list[Committee]:
        return [Committee.from_service(c) for c in await info.context.loaders.led_committees()]

    @strawberry.field(description="A committee's leads.", permission_classes=ADMIN)
    async def committee_leads(self, info: Info, committee_id: strawberry.ID) -> list[CommitteeLead]:
        leads = await info.context.clients.tasks.committee_leads(
            await info.context.actor(), parse_id(committee_id, "committeeId")
        )
        return [CommitteeLead.from_service(lead) for lead in leads]
