from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from gateway.schema.catalogue.types import OpenTaskChange
from gateway.schema.context import Info
from gateway.schema.enums import TaskStatus

_TASK_STATUSES = {status.value for status in TaskStatus}


@strawberry.type
class CatalogueSubscriptions:
    @strawberry.subscription(description="Tells when the list of open tasks changed (opened, filled, closed).")
    async def open_tasks_changed(self, info: Info) -> AsyncGenerator[OpenTaskChange, None]:
        async with info.context.gateway.hub.subscribe() as subscriber:
            async for event in subscriber.events():
                if event.kind == "offer" or event.task_id is None:
                    continue
                status = event.data.get("status")
                yield OpenTaskChange(
                    task_id=strawberry.ID(event.task_id),
                    kind=event.type,
                    status=TaskStatus(status) if status in _TASK_STATUSES else None,
                )
