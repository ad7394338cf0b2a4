from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.matching import OfferReply
from gateway.clients.contracts.tasks import SkillNeedBody, TaskFields, TaskReply
from gateway.schema.catalogue.types import SkillNeed
from gateway.schema.context import Info
from gateway.schema.coordination.diagnosis import FillDiagnosis
from gateway.schema.enums import Fluency, OfferStatus, SkillLevel, TaskStatus, Urgency, from_wire
from gateway.schema.offers.reasons import OfferReason
from gateway.schema.pagination import PageInfo
from gateway.schema.problems import NotAllowed, NotFound, StateConflict, Unavailable, ValidationProblem
from gateway.schema.volunteers.types import ContactDetails
from gateway.schema.wire import parse_id
from services.common import contracts
from services.common.problems import NotFound as NotFoundError


@strawberry.type(description="An offer made for one of your tasks. The volunteer is named only once they accept.")
class TaskOffer:
    id: strawberry.ID
    status: OfferStatus
    reasons: list[OfferReason]
    created_at: datetime | None
    expires_at: datetime | None
    member_id: strawberry.ID | None = strawberry.field(description="Set once the volunteer accepted")

    @classmethod
    def from_service(cls, data: Json | OfferReply) -> "TaskOffer":
        offer = OfferReply.model_validate(data)
        accepted = offer.status is contracts.OfferStatus.accepted
        return cls(
            id=strawberry.ID(str(offer.id)),
            status=OfferStatus(offer.status.value),
            reasons=[OfferReason.from_contract(reason) for reason in offer.reasons],
            created_at=offer.created_at,
            expires_at=offer.expires_at,
            member_id=strawberry.ID(str(offer.member_id)) if accepted else None,
        )


@strawberry.type(description="How far a task has filled.")
class TaskFill:
    slots: int
    accepted: int
    pending: int
    accepted_member_ids: list[strawberry.ID]


@strawberry.type(description="The least fluency a task accepts in one of its languages.")
class FluencyFloor:
    language: str
    fluency: Fluency


@strawberry.input(description="The least fluency accepted in one of the task's languages.")
class FluencyFloorInput:
    language: str
    fluency: Fluency


def fluency_floors(floors: Mapping[str, str]) -> list[FluencyFloor]:
    return [FluencyFloor(language=code, fluency=from_wire(Fluency, name)) for code, name in sorted(floors.items())]


@strawberry.type(description="A task as its coordinators see it.")
class Task:
    id: strawberry.ID
    organization_id: strawberry.ID
    coordinator_id: strawberry.ID
    title: str
    summary: str
    description: str
    skills: list[SkillNeed]
    languages: list[str]
    slots: int
    accepted_count: int
    open_slots: int
    status: TaskStatus
    starts_at: datetime | None
    ends_at: datetime | None
    deadline: datetime | None
    area: str | None
    remote: bool
    whole_city: bool = strawberry.field(description="Members anywhere in the city or region of the area may be asked")
    min_fluency: list[FluencyFloor]
    urgency: Urgency
    time_zone: str = strawberry.field(description="IANA zone the task happens in; show its times there")
    has_address: bool
    created_at: datetime | None
    updated_at: datetime | None
    committee_id: strawberry.ID | None = strawberry.field(default=None, description="Its leads manage it too")
    members_only: bool = strawberry.field(default=False, description="Offered only to the committee's members")
    series_id: strawberry.ID | None = strawberry.field(default=None, description="The series it is an occurrence of")

    @classmethod
    def from_service(cls, data: Json | TaskReply, skill_names: dict[str, str]) -> "Task":
        task = TaskReply.model_validate(data)
        return cls(
            id=strawberry.ID(str(task.id)),
            organization_id=strawberry.ID(str(task.organization_id)),
            coordinator_id=strawberry.ID(str(task.coordinator_id)),
            title=task.title,
            summary=task.summary,
            description=task.description,
            skills=[SkillNeed.from_service(need, skill_names) for need in task.skills],
            languages=task.languages,
            slots=task.slots,
            accepted_count=task.accepted_count,
            open_slots=max(0, task.slots - task.accepted_count),
            status=TaskStatus(task.status.value),
            starts_at=task.starts_at,
            ends_at=task.ends_at,
            deadline=task.deadline,
            area=task.area,
            remote=task.remote,
            whole_city=task.whole_city,
            min_fluency=fluency_floors(task.min_fluency),
            urgency=Urgency(task.urgency.value),
            time_zone=task.time_zone,
            has_address=task.has_address,
            created_at=task.created_at,
            updated_at=task.updated_at,
            committee_id=strawberry.ID(str(task.committee_id)) if task.committee_id else None,
            members_only=task.members_only,
            series_id=strawberry.ID(str(task.series_id)) if task.series_id else None,
        )

    @strawberry.field(description="Offers made for this task, newest first.")
    async def offers(self, info: Info, status: list[OfferStatus] | None = None) -> list[TaskOffer]:
        offers = [TaskOffer.from_service(o) for o in await info.context.loaders.offers_of_task.load(UUID(self.id))]
        return [o for o in offers if status is None or o.status in status]

    @strawberry.field(description="Accepted and pending counts, straight from matching.")
    async def fill(self, info: Info) -> TaskFill:
        try:
            fill = await info.context.loaders.fill.load(UUID(self.id))
        except NotFoundError:  # just posted: matching has not read the task from Kafka yet
            return TaskFill(slots=self.slots, accepted=self.accepted_count, pending=0, accepted_member_ids=[])
        return TaskFill(
            slots=fill.slots,
            accepted=fill.accepted,
            pending=fill.pending,
            accepted_member_ids=[strawberry.ID(str(m)) for m in fill.accepted_member_ids],
        )

    @strawberry.field(
        description="Why the task is not filling: members each constraint leaves out, and what "
        "widening the task would add. Null while matching has not read the task yet."
    )
    async def why_not_filling(self, info: Info) -> FillDiagnosis | None:
        try:
            data = await info.context.clients.matching.diagnosis(await info.context.actor(), UUID(self.id))
        except NotFoundError:
            return None
        return FillDiagnosis.from_service(data)

    @strawberry.field(description="The exact place (coordinators and accepted volunteers only).")
    async def address(self, info: Info) -> str | None:
        if not self.has_address:
            return None
        return (await info.context.loaders.address.load((UUID(self.id), None))).address


@strawberry.type
class TaskPage:
    nodes: list[Task]
    total_count: int
    page_info: PageInfo


@strawberry.input
class SkillNeedInput:
    skill: str
    min_level: SkillLevel = SkillLevel.LEARNING


_UNSET = strawberry.UNSET


@strawberry.input(description="A new task. Give a time window (startsAt + endsAt) or a deadline; an area or remote.")
class TaskInput:
    title: str = strawberry.field(description="Shown publicly: no names, emails or phone numbers")
    summary: str = strawberry.field(default="", description="Shown publicly, 280 characters at most")
    description: str = strawberry.field(default="", description="Shown to coordinators and accepted volunteers")
    skills: list[SkillNeedInput] = strawberry.field(default_factory=list)
    languages: list[str] = strawberry.field(default_factory=list)
    slots: int = 1
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    area: str | None = None
    remote: bool = False
    whole_city: bool = strawberry.field(default=False, description="Accept members from the whole city of the area")
    min_fluency: list[FluencyFloorInput] = strawberry.field(
        default_factory=list, description="The least fluency accepted in some of the languages"
    )
    urgency: Urgency = Urgency.NORMAL
    time_zone: str | None = strawberry.field(
        default=None, description="IANA zone the task happens in, e.g. America/Toronto (default: the coalition's)"
    )
    address: str | None = strawberry.field(default=None, description="Exact place, only for accepted volunteers")
    draft: bool = strawberry.field(default=False, description="Save without opening it to volunteers yet")
    committee_id: strawberry.ID | None = strawberry.field(
        default=None, description="A committee of your organization or of the coalition, or one you lead"
    )
    members_only: bool = strawberry.field(default=False, description="Offer it only to the committee's members")


@strawberry.input(description="Task changes; only the fields given change.")
class TaskUpdateInput:
    title: str | None = _UNSET
    summary: str | None = _UNSET
    description: str | None = _UNSET
    skills: list[SkillNeedInput] | None = _UNSET
    languages: list[str] | None = _UNSET
    slots: int | None = _UNSET
    starts_at: datetime | None = _UNSET
    ends_at: datetime | None = _UNSET
    deadline: datetime | None = _UNSET
    area: str | None = _UNSET
    remote: bool | None = _UNSET
    whole_city: bool | None = _UNSET
    min_fluency: list[FluencyFloorInput] | None = _UNSET
    urgency: Urgency | None = _UNSET
    time_zone: str | None = _UNSET
    address: str | None = _UNSET
    committee_id: strawberry.ID | None = _UNSET
    members_only: bool | None = _UNSET


# Fields a coordinator may clear with null (the schedule switches between window and deadline).
CLEARABLE = ("starts_at", "ends_at", "deadline", "area", "address", "committee_id")


def task_fields(source: TaskInput | TaskUpdateInput) -> Json:
    """The task fields given in a GraphQL input, as the tasks service names and types them (the
    fields of ``TaskFields``); a null given for a field that cannot be cleared is left out."""
    fields = {}
    for name in TaskFields.model_fields:
        value = getattr(source, name, _UNSET)
        if value is _UNSET or (value is None and name not in CLEARABLE):
            continue
        fields[name] = _wire_value(name, value)
    return fields


def _wire_value(name: str, value: Any) -> Any:
    if name == "skills":
        return [SkillNeedBody(skill=need.skill, min_level=need.min_level.value) for need in value]
    if name == "min_fluency":
        return {floor.language: floor.fluency.value for floor in value}
    if name == "urgency":
        return contracts.Urgency(value.value)
    if name == "committee_id" and value is not None:
        return parse_id(value, "committeeId")
    return value


@strawberry.type(description="One of your tasks changed: posted, edited, an offer answered, filled...")
class TaskUpdate:
    kind: str
    task_id: strawberry.ID
    task: Task | None


TaskResult = Annotated[
    Task | ValidationProblem | NotAllowed | NotFound | StateConflict | Unavailable, strawberry.union("TaskResult")
]
ContactResult = Annotated[ContactDetails | NotAllowed | NotFound | Unavailable, strawberry.union("ContactResult")]
