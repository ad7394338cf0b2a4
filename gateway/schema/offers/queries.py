from __future__ import annotations

import strawberry

from gateway.clients.contracts.matching import OfferPageReply
from gateway.schema.context import Info
from gateway.schema.enums import OfferStatus
from gateway.schema.offers.types import Offer, OfferPage
from gateway.schema.pagination import DEFAULT_PAGE_SIZE, window
from gateway.schema.permissions import VOLUNTEER


@strawberry.type
class OfferQueries:
    @strawberry.field(description="Your offers, newest first.", permission_classes=VOLUNTEER)
    async def my_offers(
        self, info: Info, status: OfferStatus | None = None, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> OfferPage:
        context = info.context
        page_window = window(first, after, context.settings.max_page_size)
        answer = await context.clients.matching.offers(
            await context.actor(),
            member_id=await context.member_id(),
            status=status.value if status else None,
            limit=page_window.limit,
            offset=page_window.offset,
        )
        page = OfferPageReply.model_validate(answer)
        nodes = [Offer.from_service(offer) for offer in page.items]
        return OfferPage(nodes=nodes, total_count=page.total, page_info=page_window.page_info(len(nodes), page.total))
