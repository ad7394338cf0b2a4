"""Why a task is not filling, as its coordinator sees it: counts only, never who."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.matching import DiagnosisReply


@strawberry.enum(description="A hard constraint of matching, in the order they are applied.")
class Constraint(enum.Enum):
    SKILL = "skill"
    LANGUAGE = "language"
    PLACE = "place"
    TIME = "time"
    LOAD = "load"
    ALREADY_ASKED = "already_asked"


@strawberry.enum(description="A way to widen a task so that more members can be asked.")
class Widening(enum.Enum):
    WHOLE_CITY = "whole_city"
    ANY_LEVEL = "any_level"
    ANY_FLUENCY = "any_fluency"


@strawberry.type(description="How many members a constraint left out (each member counted once, under the first).")
class Exclusion:
    constraint: Constraint
    members: int


@strawberry.type(description="How many more members a widening of the task would make eligible.")
class WideningGain:
    widening: Widening
    more_members: int


@strawberry.type(description="A widening matching took by itself as the unfilled task's start approached.")
class AutomaticWidening:
    widening: Widening
    taken_at: datetime
    more_members: int = strawberry.field(description="How many more members it made eligible when it was taken")


@strawberry.type(description="Why a task is not filling: who matching holds, who each constraint leaves out.")
class FillDiagnosis:
    active_members: int
    eligible: int = strawberry.field(description="Members who could still be asked")
    excluded: list[Exclusion]
    widenings: list[WideningGain]
    automatic_widenings: list[AutomaticWidening] = strawberry.field(
        description="Widenings matching took by itself as the start approached (the coalition's steps), oldest first"
    )

    @classmethod
    def from_service(cls, data: Json) -> "FillDiagnosis":
        diagnosis = DiagnosisReply.model_validate(data)
        return cls(
            active_members=diagnosis.active_members,
            eligible=diagnosis.eligible,
            excluded=[
                Exclusion(constraint=Constraint(name), members=count)
                for name, count in diagnosis.excluded.items()
                if name in Constraint._value2member_map_
            ],
            widenings=[
                WideningGain(widening=Widening(name), more_members=count)
                for name, count in diagnosis.widenings.items()
                if name in Widening._value2member_map_
            ],
            automatic_widenings=[
                AutomaticWidening(
                    widening=Widening(taken.widening), taken_at=taken.applied_at, more_members=taken.more_members
                )
                for taken in diagnosis.automatic_widenings
                if taken.widening in Widening._value2member_map_
            ],
        )
