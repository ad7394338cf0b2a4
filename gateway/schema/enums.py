"""Enums shared by several domains, one for each enum the services speak.

The GraphQL names are the contract names in upper case (``CAPABLE``) and the values are the wire
names the services accept (``"capable"``). They are written out so that type checkers read them as
the enums they are; tests/gateway/test_enums.py fails when one and its contract drift apart.
"""

from __future__ import annotations

import enum
from typing import TypeVar

import strawberry

from gateway.models import Role as AccountRole
from services.common import contracts


@strawberry.enum
class SkillLevel(enum.Enum):
    LEARNING = "learning"
    CAPABLE = "capable"
    EXPERT = "expert"


@strawberry.enum
class Fluency(enum.Enum):
    BASIC = "basic"
    CONVERSATIONAL = "conversational"
    FLUENT = "fluent"


@strawberry.enum
class Weekday(enum.Enum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


@strawberry.enum
class MemberStatus(enum.Enum):
    ACTIVE = "active"
    PAUSED = "paused"


@strawberry.enum
class TaskStatus(enum.Enum):
    DRAFT = "draft"
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


@strawberry.enum
class Urgency(enum.Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@strawberry.enum
class OfferStatus(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    CANCELLED_BY_VOLUNTEER = "cancelled_by_volunteer"


@strawberry.enum
class MessageDetail(enum.Enum):
    DISCREET = "discreet"
    DETAILED = "detailed"


@strawberry.enum
class ReasonKind(enum.Enum):
    SKILL = "skill"
    LANGUAGE = "language"
    FREE_TIME = "free_time"
    PLACE = "place"
    REMOTE = "remote"
    RECENT_LOAD = "recent_load"
    ASKED_FOR = "asked_for"
    TEXT = "text"


@strawberry.enum
class Role(enum.Enum):
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


# Each GraphQL enum and the enum it mirrors: from_wire reads the contracts' numbers through it.
_CONTRACT_OF: dict[type[enum.Enum], type[enum.Enum]] = {
    SkillLevel: contracts.SkillLevel,
    Fluency: contracts.Fluency,
    Weekday: contracts.Weekday,
    MemberStatus: contracts.MemberStatus,
    TaskStatus: contracts.TaskStatus,
    Urgency: contracts.Urgency,
    OfferStatus: contracts.OfferStatus,
    MessageDetail: contracts.MessageDetail,
    ReasonKind: contracts.ReasonKind,
    Role: AccountRole,
}


E = TypeVar("E", bound=enum.Enum)


def from_wire(enum_type: type[E], value: object) -> E:
    """Services send names ('capable') or, from the contracts' IntEnums, numbers (2)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = _CONTRACT_OF[enum_type](value).name
    return enum_type(value)
