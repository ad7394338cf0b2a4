"""Enums shared by several domains, built from the enums the services speak.

Each GraphQL enum is derived from its contract enum, so the two cannot drift apart: the GraphQL
names are the contract names in upper case (``CAPABLE``) and the values are the wire names the
services accept (``"capable"``).
"""

from __future__ import annotations

import enum

import strawberry

from gateway.models import Role as AccountRole
from services.common import contracts

_CONTRACT_OF: dict[type[enum.Enum], type[enum.Enum]] = {}


def _graphql_enum(contract: type[enum.Enum]) -> type[enum.Enum]:
    members = {member.name.upper(): member.name for member in contract}
    graphql = strawberry.enum(enum.Enum(contract.__name__, members, module=__name__))
    _CONTRACT_OF[graphql] = contract
    return graphql


SkillLevel = _graphql_enum(contracts.SkillLevel)
Fluency = _graphql_enum(contracts.Fluency)
Weekday = _graphql_enum(contracts.Weekday)
MemberStatus = _graphql_enum(contracts.MemberStatus)
TaskStatus = _graphql_enum(contracts.TaskStatus)
Urgency = _graphql_enum(contracts.Urgency)
OfferStatus = _graphql_enum(contracts.OfferStatus)
MessageDetail = _graphql_enum(contracts.MessageDetail)
ReasonKind = _graphql_enum(contracts.ReasonKind)
Role = _graphql_enum(AccountRole)


def from_wire(enum_type: type[enum.Enum], value):
    """Services send names ('capable') or, from the contracts' IntEnums, numbers (2)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = _CONTRACT_OF[enum_type](value).name
    return enum_type(value)
