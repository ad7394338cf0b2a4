"""Why an offer was made, as data (``services.common.contracts.OfferReason``): the pages word each
kind in the reader's language, so nothing here is English prose except an older offer's ``text``."""

from __future__ import annotations

from typing import NewType

import strawberry

from gateway.schema.context import Info
from gateway.schema.enums import Fluency, ReasonKind, SkillLevel, from_wire
from services.common import contracts

# A free stretch as one value: listing them costs a query what a list of names does, where a list
# of objects inside the offers' list of reasons would weigh a hundred times more in the budget.
# The schema maps the type to its GraphQL scalar (scalar_overrides), so annotations stay a type.
TimeInterval = NewType("TimeInterval", str)
TIME_INTERVAL = strawberry.scalar(
    name="TimeInterval",
    serialize=str,
    parse_value=str,
    description="An ISO 8601 time interval between two instants, start/end, e.g. "
    "2026-06-06T14:00:00+00:00/2026-06-06T18:00:00+00:00; shown in the task's time zone.",
)


@strawberry.type(description="One reason an offer was made: a kind, and the fields that kind fills.")
class OfferReason:
    kind: ReasonKind
    skill: str | None = strawberry.field(description="SKILL: the skill's slug")
    level: SkillLevel | None = strawberry.field(description="SKILL: the member's level of it")
    language: str | None = strawberry.field(description="LANGUAGE: the language's code, e.g. 'fr'")
    fluency: Fluency | None = strawberry.field(description="LANGUAGE: how well the member speaks it")
    windows: list[TimeInterval] = strawberry.field(description="FREE_TIME: the member's first free stretches")
    more_windows: bool = strawberry.field(description="FREE_TIME: there are more free stretches than listed")
    share_percent: int | None = strawberry.field(description="FREE_TIME: the share of the task's time they are free")
    before_deadline: bool = strawberry.field(description="FREE_TIME: a flexible task, free before its deadline")
    area: str | None = strawberry.field(description="PLACE: the task's area (slug)")
    own_area: bool = strawberry.field(description="PLACE: the task is in the member's own area")
    distance_km: int | None = strawberry.field(description="PLACE: how far from the member's area, when not theirs")
    recent_tasks: int | None = strawberry.field(description="RECENT_LOAD: how many recent tasks (0)")
    text: str | None = strawberry.field(description="TEXT: an older offer's reason, in English words as written")
    stored_area_name: strawberry.Private[str | None] = None

    @strawberry.field(description="PLACE: the area's name as the taxonomy has it now")
    async def area_name(self, info: Info) -> str | None:
        if self.area is None:
            return None
        return (await info.context.loaders.area_names()).get(self.area) or self.stored_area_name or self.area

    @classmethod
    def from_contract(cls, reason: contracts.OfferReason) -> OfferReason:
        return cls(
            kind=from_wire(ReasonKind, reason.kind.value),
            skill=reason.skill,
            level=None if reason.level is None else from_wire(SkillLevel, int(reason.level)),
            language=reason.language,
            fluency=None if reason.fluency is None else from_wire(Fluency, int(reason.fluency)),
            windows=[TimeInterval(f"{w.start.isoformat()}/{w.end.isoformat()}") for w in reason.windows],
            more_windows=reason.more_windows,
            share_percent=reason.share_percent,
            before_deadline=reason.before_deadline,
            area=reason.area,
            own_area=reason.own_area,
            distance_km=reason.distance_km,
            recent_tasks=reason.recent_tasks,
            text=reason.text,
            stored_area_name=reason.area_name,
        )
