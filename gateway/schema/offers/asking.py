"""A volunteer asks for one task (they came from a widget's "Sign up to help" link): its public
view, and either their offer or, in codes the pages word, why they cannot be offered it."""

from __future__ import annotations

import enum
from typing import Annotated
from uuid import UUID

import strawberry

from gateway.clients.contracts.matching import AskReply
from gateway.schema.catalogue.types import PublicTask
from gateway.schema.context import Info
from gateway.schema.offers.types import Offer
from gateway.schema.problems import NotAllowed, NotFound, Unavailable
from services.common.problems import NotFound as ServiceNotFound


@strawberry.enum(description="What asking for a task came to.")
class AskAnswer(enum.Enum):
    OFFERED = "offered"
    NOT_ELIGIBLE = "not_eligible"
    CHECKING = "checking"


@strawberry.enum(description="Why you cannot be offered a task, in the order matching checks.")
class NotEligibleReason(enum.Enum):
    TASK_NOT_OPEN = "task_not_open"
    TASK_FULL = "task_full"
    TASK_STARTED = "task_started"
    ALREADY_ANSWERED = "already_answered"
    NOT_ACTIVE = "not_active"
    TIME = "time"
    SKILLS = "skills"
    LANGUAGES = "languages"
    PLACE = "place"
    MEMBERS_ONLY = "members_only"
    MONTHLY_LIMIT = "monthly_limit"
    BUSY = "busy"


@strawberry.type(
    description="A task you asked for: offered to you, or why not. CHECKING: your profile is still "
    "reaching matching; ask again in a moment."
)
class TaskForMe:
    task: PublicTask
    answer: AskAnswer
    offer: Offer | None = strawberry.field(description="Your offer of this task, waiting or accepted")
    reasons: list[NotEligibleReason] = strawberry.field(description="Why you cannot be offered it (NOT_ELIGIBLE)")


TaskForMeResult = Annotated[TaskForMe | NotFound | NotAllowed | Unavailable, strawberry.union("TaskForMeResult")]


async def ask_for_task(info: Info, task_id: UUID) -> TaskForMe:
    context = info.context
    actor, member_id = await context.actor(), await context.member_id()
    data = await context.clients.tasks.get(actor, task_id)
    task = PublicTask.from_service(data, await context.loaders.skill_names(), await context.loaders.area_names())
    try:
        answer = await context.clients.matching.ask_for_task(actor, task_id, member_id)
    except ServiceNotFound:
        # Matching has not heard of the task: just posted (it will), or never open (a draft).
        return unheard_of(task)
    asked = AskReply.model_validate(answer)
    return TaskForMe(
        task=task,
        answer=AskAnswer(asked.answer),
        offer=Offer.from_service(asked.offer) if asked.offer else None,
        reasons=_reasons(asked.reasons),
    )


def unheard_of(task: PublicTask) -> TaskForMe:
    if task.status.value == "open":
        return TaskForMe(task=task, answer=AskAnswer.CHECKING, offer=None, reasons=[])
    return TaskForMe(task=task, answer=AskAnswer.NOT_ELIGIBLE, offer=None, reasons=[NotEligibleReason.TASK_NOT_OPEN])


def _reasons(codes: list[str]) -> list[NotEligibleReason]:
    # A reason a newer matching service knows and this gateway does not is left out, not an error.
    return [NotEligibleReason(code) for code in codes if code in NotEligibleReason._value2member_map_]
