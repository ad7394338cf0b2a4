from __future__ import annotations

from collections.abc import AsyncGenerator
from uuid import UUID

import strawberry

from gateway.live.hub import LiveEvent
from gateway.schema.context import Info
from gateway.schema.offers.types import Offer, OfferUpdate
from gateway.schema.permissions import VOLUNTEER
from services.common.problems import DomainError


async def offer_of(info: Info, event: LiveEvent) -> Offer:
    """The offer as the event tells it; events from before they carried the task's title are
    completed by matching (or shown as they are if matching cannot say)."""
    if event.data.get("task_title") is not None:
        return Offer.from_service({**event.data, "id": event.data["offer_id"]})
    info.context.refresh_loaders()
    try:
        data = await info.context.clients.matching.get(await info.context.actor(), UUID(event.data["offer_id"]))
    except DomainError:
        data = {**event.data, "id": event.data["offer_id"]}
    return Offer.from_service(data)


@strawberry.type
class OfferSubscriptions:
    @strawberry.subscription(
        description="Your new offers and every change to them, as they happen.", permission_classes=VOLUNTEER
    )
    async def offer_updates(self, info: Info) -> AsyncGenerator[OfferUpdate, None]:
        member_id = str(await info.context.member_id())
        async with info.context.gateway.hub.subscribe(offers_of=member_id) as subscriber:
            async for event in subscriber.events():
                if event.kind == "offer" and event.data.get("member_id") == member_id:  # the hub's routing, checked
                    yield OfferUpdate(kind=event.type, offer=await offer_of(info, event))
