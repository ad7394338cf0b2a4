from __future__ import annotations

import strawberry

from gateway.schema.accounts.types import Organization, Viewer
from gateway.schema.context import Info
from gateway.schema.permissions import ANY_SIGNED_IN


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in person, or null when not signed in.")
    async def me(self, info: Info) -> Viewer | None:
        user = await info.context.user()
        return Viewer.of(user) if user else None

    @strawberry.field(description="The coalition's organizations.", permission_classes=ANY_SIGNED_IN)
    async def organizations(self, info: Info) -> list[Organization]:
        return [Organization.from_service(o) for o in await info.context.loaders.organizations_list()]
