from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.tasks import OrganizationReply
from gateway.models import User, role_of
from gateway.schema.context import Info, actor_for
from gateway.schema.enums import Role
from gateway.schema.problems import LoginFailed, NotAllowed, RateLimited, Unavailable, ValidationProblem
from gateway.schema.volunteers.types import (
    INTERESTS_RULE,
    ContactsInput,
    DateRangeInput,
    LanguageInput,
    MemberProfile,
    ReachInput,
    SkillClaimInput,
    WeeklyWindowInput,
)


@strawberry.type(description="An organization of the coalition; coordinators belong to one.")
class Organization:
    id: strawberry.ID
    name: str

    @classmethod
    def from_service(cls, data: Json | OrganizationReply) -> "Organization":
        organization = OrganizationReply.model_validate(data)
        return cls(id=strawberry.ID(str(organization.id)), name=organization.name)


@strawberry.type(description="The signed-in person.")
class Viewer:
    id: strawberry.ID
    role: Role
    locale: str
    member_id: strawberry.ID | None
    organization_id: strawberry.ID | None
    _user: strawberry.Private[User]

    @classmethod
    def of(cls, user: User) -> "Viewer":
        return cls(
            id=strawberry.ID(str(user.id)),
            role=Role(role_of(user).value),
            locale=user.locale,
            member_id=strawberry.ID(str(user.member_id)) if user.member_id else None,
            organization_id=strawberry.ID(str(user.organization_id)) if user.organization_id else None,
            _user=user,
        )

    @strawberry.field(description="The login email (only ever shown to its owner and to admins).")
    def email(self, info: Info) -> str:
        return info.context.gateway.accounts.vault.decrypt(self._user.email_encrypted)

    @strawberry.field(description="The volunteer's profile (volunteers only).")
    async def member(self, info: Info) -> MemberProfile | None:
        if self._user.member_id is None:
            return None
        data = await info.context.clients.members.get(actor_for(self._user), self._user.member_id)
        return MemberProfile.from_service(data)

    @strawberry.field(description="The coordinator's organization (coordinators only).")
    async def organization(self, info: Info) -> Organization | None:
        if self._user.organization_id is None:
            return None
        organization = (await info.context.loaders.organizations()).get(str(self._user.organization_id))
        return Organization.from_service(organization) if organization else None


@strawberry.type(description="A signed-in session: send `Authorization: Bearer <token>` until `expiresAt`.")
class AuthPayload:
    token: str
    expires_at: datetime
    viewer: Viewer


@strawberry.input
class RegisterMemberInput:
    email: str = strawberry.field(description="Login email")
    password: str = strawberry.field(description="At least 10 characters")
    display_name: str = strawberry.field(description="How coordinators of accepted tasks will address you")
    contacts: ContactsInput
    pronouns: str | None = None
    skills: list[SkillClaimInput] = strawberry.field(default_factory=list)
    languages: list[LanguageInput] = strawberry.field(default_factory=list)
    weekly_availability: list[WeeklyWindowInput] = strawberry.field(default_factory=list)
    unavailable: list[DateRangeInput] = strawberry.field(default_factory=list)
    area: str | None = None
    remote_ok: bool = False
    max_tasks_per_month: int = 4
    interests: list[str] = strawberry.field(default_factory=list, description=INTERESTS_RULE)
    reach: ReachInput | None = strawberry.field(default=None, description="Where you can go besides your own area")
    locale: str = "en"


@strawberry.input
class RegisterCoordinatorInput:
    email: str
    password: str
    invite_code: str = strawberry.field(description="The one-time code an admin gave you")
    locale: str = "en"


AuthResult = Annotated[AuthPayload | ValidationProblem | RateLimited | Unavailable, strawberry.union("AuthResult")]
LoginResult = Annotated[AuthPayload | LoginFailed | RateLimited | Unavailable, strawberry.union("LoginResult")]
RenewResult = Annotated[AuthPayload | NotAllowed | Unavailable, strawberry.union("RenewResult")]
LocaleResult = Annotated[Viewer | ValidationProblem | Unavailable, strawberry.union("LocaleResult")]
