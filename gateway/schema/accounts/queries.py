from __future__ import annotations

import strawberry

from gateway.schema.accounts.types import Viewer
from gateway.schema.context import Info


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in person, or null when not signed in.")
    async def me(self, info: Info) -> Viewer | None:
        user = await info.context.user()
        return Viewer.of(user) if user else None
