from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import strawberry

from gateway.schema.context import Info
from gateway.schema.permissions import VOLUNTEER
from gateway.schema.problems import LoginFailed, NotAllowed, NotFound, Unavailable, ValidationProblem, returns_problems
from gateway.schema.volunteers.notifications import NotificationPreferencesInput, as_input_fields, preferences_payload
from gateway.schema.volunteers.types import MemberProfile, ProfileUpdateInput, profile_payload
from services.common.problems import DomainError
from services.common.problems import NotFound as NotFoundError

ProfileResult = Annotated[
    MemberProfile | ValidationProblem | NotAllowed | NotFound | Unavailable, strawberry.union("ProfileResult")
]


@strawberry.type(description="Everything about the person is gone: profile, contacts, login.")
class Erasure:
    erased_at: datetime


ErasureResult = Annotated[
    Erasure | LoginFailed | NotAllowed | NotFound | Unavailable, strawberry.union("ErasureResult")
]


async def erase_member_and_account(info: Info, member_id, user_id) -> Erasure:
    """Erase the profile in the members service, then the login. Safe to repeat after a failure."""
    try:
        await info.context.clients.members.erase(await info.context.actor(), member_id)
    except NotFoundError:
        pass  # erased already (a previous attempt got this far)
    await asyncio.to_thread(info.context.gateway.accounts.discard, user_id)  # or the erasure consumer did
    return Erasure(erased_at=datetime.now(UTC))


@strawberry.type
class VolunteerMutations:
    @strawberry.mutation(description="Change your profile; only the fields given change.", permission_classes=VOLUNTEER)
    @returns_problems(ProfileResult)
    async def update_profile(self, info: Info, input: ProfileUpdateInput) -> ProfileResult:
        member_id = await info.context.member_id()
        data = await info.context.clients.members.update(await info.context.actor(), member_id, profile_payload(input))
        return MemberProfile.from_service(data)

    @strawberry.mutation(
        description="Change what you chose about messages (email, detail, quiet hours); only the fields given change.",
        permission_classes=VOLUNTEER,
    )
    @returns_problems(ProfileResult)
    async def update_notification_preferences(self, info: Info, input: NotificationPreferencesInput) -> ProfileResult:
        member_id = await info.context.member_id()
        try:
            data = await info.context.clients.members.update(
                await info.context.actor(), member_id, preferences_payload(input)
            )
        except DomainError as error:
            raise as_input_fields(error) from None
        return MemberProfile.from_service(data)

    @strawberry.mutation(
        description="Stop receiving offers until you resume; pending offers are withdrawn.",
        permission_classes=VOLUNTEER,
    )
    @returns_problems(ProfileResult)
    async def pause_me(self, info: Info) -> ProfileResult:
        member_id = await info.context.member_id()
        return MemberProfile.from_service(
            await info.context.clients.members.pause(await info.context.actor(), member_id)
        )

    @strawberry.mutation(description="Receive offers again.", permission_classes=VOLUNTEER)
    @returns_problems(ProfileResult)
    async def resume_me(self, info: Info) -> ProfileResult:
        member_id = await info.context.member_id()
        data = await info.context.clients.members.resume(await info.context.actor(), member_id)
        return MemberProfile.from_service(data)

    @strawberry.mutation(
        description="Erase your profile, contacts and login for good. Asks for your password.",
        permission_classes=VOLUNTEER,
    )
    @returns_problems(ErasureResult)
    async def erase_me(self, info: Info, password: str) -> ErasureResult:
        user = await info.context.require_user()
        if not await asyncio.to_thread(info.context.gateway.accounts.verify_password, user.id, password):
            return LoginFailed(message="The password is not right; nothing was erased.")
        return await erase_member_and_account(info, user.member_id, user.id)
