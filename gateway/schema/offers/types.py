from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.matching import OfferReply
from gateway.schema.catalogue.types import PublicTask
from gateway.schema.context import Info
from gateway.schema.enums import OfferStatus
from gateway.schema.offers.reasons import OfferReason
from gateway.schema.pagination import PageInfo
from gateway.schema.problems import NotAllowed, NotFound, OfferNotPending, StateConflict, TaskFilled, Unavailable
from services.common.problems import DomainError


@strawberry.type(description="A task offered to you, with the reasons you were asked.")
class Offer:
    id: strawberry.ID
    task_id: strawberry.ID
    status: OfferStatus
    reasons: list[OfferReason]
    task_title: str | None
    expires_at: datetime | None
    created_at: datetime | None
    withdrawn_because: str | None

    @classmethod
    def from_service(cls, data: Json | OfferReply) -> "Offer":
        offer = OfferReply.model_validate(data)
        return cls(
            id=strawberry.ID(str(offer.id)),
            task_id=strawberry.ID(str(offer.task_id)),
            status=OfferStatus(offer.status.value),
            reasons=[OfferReason.from_contract(reason) for reason in offer.reasons],
            task_title=offer.task_title,
            expires_at=offer.expires_at,
            created_at=offer.created_at,
            withdrawn_because=offer.withdrawn_because,
        )

    @strawberry.field(description="The task: when, where, which skills. Null if it was removed.")
    async def task(self, info: Info) -> PublicTask | None:
        try:
            data = await info.context.loaders.task.load(UUID(self.task_id))
        except DomainError:
            return None
        loaders = info.context.loaders
        return PublicTask.from_service(data, await loaders.skill_names(), await loaders.area_names())

    @strawberry.field(description="The coordinator's details for volunteers; only once you accepted.")
    async def details(self, info: Info) -> str | None:
        if self.status is not OfferStatus.ACCEPTED:
            return None
        try:
            task = await info.context.loaders.task.load(UUID(self.task_id))
        except DomainError:
            return None
        return task.description or None

    @strawberry.field(description="Where exactly to go; only once you accepted.")
    async def address(self, info: Info) -> str | None:
        if self.status is not OfferStatus.ACCEPTED:
            return None
        member_id = await info.context.member_id()
        try:
            place = await info.context.loaders.address.load((UUID(self.task_id), member_id))
        except DomainError:
            return None
        return place.address


@strawberry.type
class OfferPage:
    nodes: list[Offer]
    total_count: int
    page_info: PageInfo


@strawberry.type(description="An offer of yours was created or changed.")
class OfferUpdate:
    kind: str = strawberry.field(description="offer.created, offer.accepted, offer.expired, offer.withdrawn...")
    offer: Offer


OfferResult = Annotated[
    Offer | TaskFilled | OfferNotPending | StateConflict | NotAllowed | NotFound | Unavailable,
    strawberry.union("OfferResult"),
]
