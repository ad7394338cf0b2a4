from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import strawberry

from gateway.auth import administration
from gateway.clients.contracts.tasks import OrganizationBody
from gateway.models import Role as AccountRole
from gateway.schema.accounts.types import Organization
from gateway.schema.admin.types import (
    AdminErasureResult,
    CoordinatorInvite,
    InviteResult,
    OrganizationInput,
    OrganizationResult,
    UserAccount,
    UserResult,
)
from gateway.schema.context import Info
from gateway.schema.enums import Role
from gateway.schema.permissions import ADMIN
from gateway.schema.problems import returns_problems
from gateway.schema.volunteers.mutations import Erasure
from gateway.schema.wire import parse_id
from services.common.problems import Conflict


def taxonomy_changed(info: Info) -> None:
    info.context.gateway.cache.invalidate()


def account(info: Info, user) -> UserAccount:
    return UserAccount.of(info.context.gateway.accounts.public(user))


@strawberry.type
class AdminMutations:
    @strawberry.mutation(description="Add a member organization of the coalition.", permission_classes=ADMIN)
    @returns_problems(OrganizationResult)
    async def create_organization(self, info: Info, input: OrganizationInput) -> OrganizationResult:
        data = await info.context.clients.tasks.create_organization(
            await info.context.actor(), OrganizationBody(name=input.name, description=input.description)
        )
        taxonomy_changed(info)
        return Organization.from_service(data)

    @strawberry.mutation(
        description="A one-time sign-up code for a coordinator of an organization.", permission_classes=ADMIN
    )
    @returns_problems(InviteResult)
    async def create_coordinator_invite(self, info: Info, organization_id: strawberry.ID) -> InviteResult:
        context = info.context
        organization = parse_id(organization_id, "organizationId")
        await context.clients.tasks.organization(await context.actor(), organization)  # NotFound if unknown
        admin = await context.require_user()
        ttl = timedelta(hours=context.settings.invite_ttl_hours)
        invite, code = await asyncio.to_thread(context.gateway.accounts.create_invite, organization, admin.id, ttl)
        return CoordinatorInvite(
            code=code, organization_id=organization_id, expires_at=invite.expires_at.astimezone(UTC)
        )

    @strawberry.mutation(
        description="Give an account another role (a coordinator needs an organization).", permission_classes=ADMIN
    )
    @returns_problems(UserResult)
    async def set_user_role(
        self, info: Info, user_id: strawberry.ID, role: Role, organization_id: strawberry.ID | None = None
    ) -> UserResult:
        admin = await info.context.require_user()
        organization = parse_id(organization_id, "organizationId") if organization_id else None
        changed = await administration.change_role(
            info.context.gateway, admin, parse_id(user_id, "userId"), AccountRole(role.value), organization
        )
        return account(info, changed)

    @strawberry.mutation(
        description="Disable an account (its tokens stop working at once) or enable it again.", permission_classes=ADMIN
    )
    @returns_problems(UserResult)
    async def set_user_active(self, info: Info, user_id: strawberry.ID, active: bool) -> UserResult:
        admin = await info.context.require_user()
        target = parse_id(user_id, "userId")
        if target == admin.id and not active:
            raise Conflict("You cannot disable your own account; ask another admin.")
        changed = await asyncio.to_thread(info.context.gateway.accounts.set_active, target, active)
        return account(info, changed)

    @strawberry.mutation(
        description="Erase a member on their request: profile, contacts and login.", permission_classes=ADMIN
    )
    @returns_problems(AdminErasureResult)
    async def erase_member(self, info: Info, member_id: strawberry.ID) -> AdminErasureResult:
        admin = await info.context.require_user()
        await administration.erase_member(info.context.gateway, admin, parse_id(member_id, "memberId"))
        return Erasure(erased_at=datetime.now(UTC))

    @strawberry.mutation(
        description="Remove a login account (and its volunteer profile, if any).", permission_classes=ADMIN
    )
    @returns_problems(AdminErasureResult)
    async def erase_user(self, info: Info, user_id: strawberry.ID) -> AdminErasureResult:
        admin = await info.context.require_user()
        await administration.erase_account(info.context.gateway, admin, parse_id(user_id, "userId"))
        return Erasure(erased_at=datetime.now(UTC))
