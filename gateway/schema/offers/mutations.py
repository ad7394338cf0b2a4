from __future__ import annotations

import strawberry

from gateway.clients.contracts.matching import OfferPageReply
from gateway.schema.context import Info
from gateway.schema.offers.asking import TaskForMeResult, ask_for_task
from gateway.schema.offers.types import Offer, OfferResult
from gateway.schema.permissions import VOLUNTEER
from gateway.schema.problems import NotFound, returns_problems
from gateway.schema.wire import parse_id


async def answer(info: Info, offer_id: str, action: str) -> Offer:
    context = info.context
    data = await context.clients.matching.respond(
        await context.actor(), parse_id(offer_id, "offerId"), action, await context.member_id()
    )
    return Offer.from_service(data)


@strawberry.type
class OfferMutations:
    @strawberry.mutation(
        description="Say yes to an offer. Answers TaskFilled if others were faster.", permission_classes=VOLUNTEER
    )
    @returns_problems(OfferResult)
    async def accept_offer(self, info: Info, offer_id: strawberry.ID) -> OfferResult:
        return await answer(info, offer_id, "accept")

    @strawberry.mutation(
        description="Say no to an offer; you will not be asked for this task again.", permission_classes=VOLUNTEER
    )
    @returns_problems(OfferResult)
    async def decline_offer(self, info: Info, offer_id: strawberry.ID) -> OfferResult:
        return await answer(info, offer_id, "decline")

    @strawberry.mutation(
        description="Step back from a task you accepted; the place is offered to someone else.",
        permission_classes=VOLUNTEER,
    )
    @returns_problems(OfferResult)
    async def withdraw_from_task(self, info: Info, task_id: strawberry.ID) -> OfferResult:
        context = info.context
        page = await context.clients.matching.offers(
            await context.actor(),
            member_id=await context.member_id(),
            task_id=parse_id(task_id, "taskId"),
            status="accepted",
            limit=1,
        )
        accepted = OfferPageReply.model_validate(page).items
        if not accepted:
            return NotFound(message="You have not accepted this task.")
        return await answer(info, str(accepted[0].id), "withdraw")

    @strawberry.mutation(
        description="Ask for a task (e.g. from a widget's link): you are offered it now if you fit "
        "and a place is open, or told why not. Asking again is safe.",
        permission_classes=VOLUNTEER,
    )
    @returns_problems(TaskForMeResult)
    async def ask_for_task(self, info: Info, task_id: strawberry.ID) -> TaskForMeResult:
        return await ask_for_task(info, parse_id(task_id, "taskId"))
