from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.tasks import CommitteeReply, LeadReply
from gateway.schema.admin.types import UserAccount
from gateway.schema.context import Info
from gateway.schema.problems import NotAllowed, NotFound, StateConflict, Unavailable, ValidationProblem
from services.common.problems import NotFound as NotFoundError


@strawberry.type(description="A committee of one organization, or of the whole coalition, with its own leads.")
class Committee:
    id: strawberry.ID
    name: str
    description: str
    organization_id: strawberry.ID | None = strawberry.field(description="None: a committee of the whole coalition")

    @classmethod
    def from_service(cls, data: Json | CommitteeReply) -> "Committee":
        committee = CommitteeReply.model_validate(data)
        organization = committee.organization_id
        return cls(
            id=strawberry.ID(str(committee.id)),
            name=committee.name,
            description=committee.description,
            organization_id=strawberry.ID(str(organization)) if organization else None,
        )


@strawberry.type(description="A coordinator account leading a committee: it manages the committee's tasks.")
class CommitteeLead:
    committee_id: strawberry.ID
    lead_id: strawberry.ID
    added_at: datetime | None

    @classmethod
    def from_service(cls, data: Json | LeadReply) -> "CommitteeLead":
        lead = LeadReply.model_validate(data)
        return cls(
            committee_id=strawberry.ID(str(lead.committee_id)),
            lead_id=strawberry.ID(str(lead.lead_id)),
            added_at=lead.added_at,
        )

    @strawberry.field(description="The lead's login account (admins only see leads); None once it was removed.")
    async def account(self, info: Info) -> UserAccount | None:
        accounts = info.context.gateway.accounts
        try:
            user = await asyncio.to_thread(accounts.get, UUID(self.lead_id))
        except NotFoundError:
            return None
        return UserAccount.of(accounts.public(user))


@strawberry.type(description="The committees a volunteer belongs to.")
class Membership:
    committees: list[Committee]


@strawberry.type(description="Done; nothing to return.")
class Done:
    ok: bool = True


@strawberry.input(description="A new committee; without an organization it is the whole coalition's.")
class CommitteeInput:
    name: str = strawberry.field(description="Shown to every member: no names, emails or phone numbers")
    description: str = ""
    organization_id: strawberry.ID | None = None


CommitteeResult = Annotated[
    Committee | ValidationProblem | StateConflict | NotFound | Unavailable, strawberry.union("CommitteeResult")
]
LeadResult = Annotated[
    CommitteeLead | ValidationProblem | NotFound | NotAllowed | Unavailable, strawberry.union("LeadResult")
]
LeadRemovalResult = Annotated[Done | NotFound | Unavailable, strawberry.union("LeadRemovalResult")]
MembershipResult = Annotated[
    Membership | ValidationProblem | StateConflict | NotFound | Unavailable, strawberry.union("MembershipResult")
]
