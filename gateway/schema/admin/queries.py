from __future__ import annotations

import asyncio

import strawberry

from gateway.clients.contracts.members import AuditPageReply, MemberPageReply
from gateway.models import Role as AccountRole
from gateway.schema.admin.types import AuditEntry, MemberPage, UserAccount, UserPage
from gateway.schema.context import Info
from gateway.schema.enums import Role
from gateway.schema.pagination import DEFAULT_PAGE_SIZE, window
from gateway.schema.permissions import ADMIN
from gateway.schema.volunteers.types import MemberProfile
from gateway.schema.wire import parse_id


@strawberry.type
class AdminQueries:
    @strawberry.field(description="Login accounts, oldest first.", permission_classes=ADMIN)
    async def users(
        self, info: Info, role: Role | None = None, first: int = DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> UserPage:
        page_window = window(first, after, info.context.settings.max_page_size)
        page = await asyncio.to_thread(
            info.context.gateway.accounts.list,
            AccountRole(role.value) if role else None,
            page_window.limit,
            page_window.offset,
        )
        nodes = [UserAccount.of(user) for user in page.items]
        return UserPage(nodes=nodes, total_count=page.total, page_info=page_window.page_info(len(nodes), page.total))

    @strawberry.field(description="The account that logs in with this email, if any.", permission_classes=ADMIN)
    async def user_by_email(self, info: Info, email: str) -> UserAccount | None:
        accounts = info.context.gateway.accounts
        user = await asyncio.to_thread(accounts.find_by_email, email)
        return UserAccount.of(accounts.public(user)) if user else None

    @strawberry.field(description="Member profiles, oldest first.", permission_classes=ADMIN)
    async def members(self, info: Info, first: int = DEFAULT_PAGE_SIZE, after: str | None = None) -> MemberPage:
        page_window = window(first, after, info.context.settings.max_page_size)
        answer = await info.context.clients.members.page(
            await info.context.actor(), page_window.limit, page_window.offset
        )
        page = MemberPageReply.model_validate(answer)
        nodes = [MemberProfile.from_service(member) for member in page.items]
        return MemberPage(nodes=nodes, total_count=page.total, page_info=page_window.page_info(len(nodes), page.total))

    @strawberry.field(description="Who read or changed a member's data (admins).", permission_classes=ADMIN)
    async def member_audit(self, info: Info, member_id: strawberry.ID, first: int = 50) -> list[AuditEntry]:
        page_window = window(first, None, info.context.settings.max_page_size)
        page = await info.context.clients.members.audit(
            await info.context.actor(), parse_id(member_id, "memberId"), page_window.limit, 0
        )
        return [AuditEntry.from_service(entry) for entry in AuditPageReply.model_validate(page).items]
