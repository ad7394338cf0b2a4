from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.members import AuditEntryReply
from gateway.models import UserPublic, role_of
from gateway.schema.accounts.types import Organization
from gateway.schema.enums import Role
from gateway.schema.pagination import PageInfo
from gateway.schema.problems import NotAllowed, NotFound, StateConflict, Unavailable, ValidationProblem
from gateway.schema.volunteers.mutations import Erasure
from gateway.schema.volunteers.types import MemberProfile


@strawberry.type(description="A login account (admins only).")
class UserAccount:
    id: strawberry.ID
    email: str
    role: Role
    active: bool
    locale: str
    member_id: strawberry.ID | None
    organization_id: strawberry.ID | None
    created_at: datetime

    @classmethod
    def of(cls, user: UserPublic) -> "UserAccount":
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            role=Role(role_of(user).value),
            active=user.active,
            locale=user.locale,
            member_id=strawberry.ID(str(user.member_id)) if user.member_id else None,
            organization_id=strawberry.ID(str(user.organization_id)) if user.organization_id else None,
            created_at=user.created_at,
        )


@strawberry.type
class UserPage:
    nodes: list[UserAccount]
    total_count: int
    page_info: PageInfo


@strawberry.type
class MemberPage:
    nodes: list[MemberProfile]
    total_count: int
    page_info: PageInfo


@strawberry.type(description="Who read or changed which fields of a member's profile, when and why.")
class AuditEntry:
    occurred_at: datetime
    actor_role: str
    action: str
    fields: list[str]
    purpose: str | None
    task_id: strawberry.ID | None

    @classmethod
    def from_service(cls, data: Json | AuditEntryReply) -> "AuditEntry":
        entry = AuditEntryReply.model_validate(data)
        return cls(
            occurred_at=entry.occurred_at,
            actor_role=entry.actor_role,
            action=entry.action,
            fields=entry.fields,
            purpose=entry.purpose,
            task_id=strawberry.ID(str(entry.task_id)) if entry.task_id else None,
        )


@strawberry.type(description="A one-time code for a coordinator to sign up; shown once, stored only as a hash.")
class CoordinatorInvite:
    code: str
    organization_id: strawberry.ID
    expires_at: datetime


@strawberry.input
class OrganizationInput:
    name: str
    description: str = ""


OrganizationResult = Annotated[
    Organization | ValidationProblem | StateConflict | Unavailable, strawberry.union("OrganizationResult")
]
InviteResult = Annotated[
    CoordinatorInvite | ValidationProblem | NotFound | Unavailable, strawberry.union("InviteResult")
]
UserResult = Annotated[
    UserAccount | ValidationProblem | StateConflict | NotFound | NotAllowed | Unavailable,
    strawberry.union("UserResult"),
]
AdminErasureResult = Annotated[
    Erasure | StateConflict | NotFound | NotAllowed | Unavailable, strawberry.union("AdminErasureResult")
]
