"""Enums shared by several domains; values are the services' wire values."""

from __future__ import annotations

import enum

import strawberry


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
class Role(enum.Enum):
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


_INT_NAMES = {
    SkillLevel: {1: "learning", 2: "capable", 3: "expert"},
    Fluency: {1: "basic", 2: "conversational", 3: "fluent"},
    Weekday: {0: "monday", 1: "tuesday", 2: "wednesday", 3: "thursday", 4: "friday", 5: "saturday", 6: "sunday"},
}


def from_wire(enum_type: type[enum.Enum], value):
    """Services send names ('capable') or, from the contracts' IntEnums, numbers (2)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = _INT_NAMES[enum_type][value]
    return enum_type(value)
