from __future__ import annotations

import asyncio

import strawberry

from gateway.clients.contracts.tasks import CommitteeBody
from gateway.models import Role
from gateway.schema.committees.queries import joined_committees
from gateway.schema.committees.types import (
    Committee,
    CommitteeInput,
    CommitteeLead,
    CommitteeResult,
    Done,
    LeadRemovalResult,
    LeadResult,
    Membership,
    MembershipResult,
)
from gateway.schema.context import Info
from gateway.schema.permissions import ADMIN, VOLUNTEER
from gateway.schema.problems import returns_problems
from gateway.schema.wire import parse_id
from services.common.problems import Invalid


async def set_membership(info: Info, committee_id: strawberry.ID, joined: bool) -> Membership:
    context = info.context
    committee = parse_id(committee_id, "committeeId")
    actor = await context.actor()
    if joined:
        await context.clients.tasks.committee(actor, committee)  # NotFound for an unknown committee
    await context.clients.members.set_committee(actor, await context.member_id(), committee, joined)
    return Membership(committees=await joined_committees(info))


@strawberry.type
class CommitteeMutations:
    @strawberry.mutation(
        description="Create a committee of an organization, or of the whole coalition.", permission_classes=ADMIN
    )
    @returns_problems(CommitteeResult)
    async def create_committee(self, info: Info, input: CommitteeInput) -> CommitteeResult:
        organization = parse_id(input.organization_id, "organizationId") if input.organization_id else None
        committee = CommitteeBody(name=input.name, description=input.description, organization_id=organization)
        return Committee.from_service(
            await info.context.clients.tasks.create_committee(await info.context.actor(), committee)
        )

    @strawberry.mutation(
        description="Name a coordinator as a lead of a committee: they manage its tasks.", permission_classes=ADMIN
    )
    @returns_problems(LeadResult)
    async def add_committee_lead(self, info: Info, committee_id: strawberry.ID, user_id: strawberry.ID) -> LeadResult:
        account = await asyncio.to_thread(info.context.gateway.accounts.get, parse_id(user_id, "userId"))
        if account.role != Role.coordinator or not account.active:
            raise Invalid(
                "A lead must be an active coordinator account; give them the coordinator role first.",
                errors=[{"field": "userId", "message": "not an active coordinator"}],
            )
        lead = await info.context.clients.tasks.add_lead(
            await info.context.actor(), parse_id(committee_id, "committeeId"), account.id
        )
        return CommitteeLead.from_service(lead)

    @strawberry.mutation(description="Remove a lead from a committee.", permission_classes=ADMIN)
    @returns_problems(LeadRemovalResult)
    async def remove_committee_lead(
        self, info: Info, committee_id: strawberry.ID, user_id: strawberry.ID
    ) -> LeadRemovalResult:
        await info.context.clients.tasks.remove_lead(
            await info.context.actor(), parse_id(committee_id, "committeeId"), parse_id(user_id, "userId")
        )
        return Done()

    @strawberry.mutation(
        description="Join a committee: its members-only tasks may then be offered to you.", permission_classes=VOLUNTEER
    )
    @returns_problems(MembershipResult)
    async def join_committee(self, info: Info, committee_id: strawberry.ID) -> MembershipResult:
        return await set_membership(info, committee_id, joined=True)

    @strawberry.mutation(description="Leave a committee.", permission_classes=VOLUNTEER)
    @returns_problems(MembershipResult)
    async def leave_committee(self, info: Info, committee_id: strawberry.ID) -> MembershipResult:
        return await set_membership(info, committee_id, joined=False)
