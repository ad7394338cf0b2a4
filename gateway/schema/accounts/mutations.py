from __future__ import annotations

import asyncio

import strawberry

from gateway.auth import administration, registration
from gateway.models import User
from gateway.schema.accounts.types import (
    AuthPayload,
    AuthResult,
    LocaleResult,
    LoginResult,
    RegisterCoordinatorInput,
    RegisterMemberInput,
    RenewResult,
    Viewer,
)
from gateway.schema.context import Info
from gateway.schema.permissions import ANY_SIGNED_IN
from gateway.schema.problems import returns_problems
from gateway.schema.volunteers.types import profile_payload


def signed_in(info: Info, user: User) -> AuthPayload:
    issued = registration.issue_token(info.context.gateway, user)
    return AuthPayload(token=issued.token, expires_at=issued.expires_at, viewer=Viewer.of(user))


def count_sign_up(info: Info) -> None:
    # Sign-ups hash a password and create a profile: limited like logins, per address.
    gateway = info.context.gateway
    gateway.limiter.check(gateway.login_rule, info.context.client_address, "sign-up attempts from your address")


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="Volunteer sign-up: creates the member profile and the login in one go.")
    @returns_problems(AuthResult)
    async def register_member(self, info: Info, input: RegisterMemberInput) -> AuthResult:
        count_sign_up(info)
        user = await registration.register_volunteer(
            info.context.gateway, input.email, input.password, input.locale, profile_payload(input)
        )
        return signed_in(info, user)

    @strawberry.mutation(description="Coordinator sign-up with the invitation code an admin gave.")
    @returns_problems(AuthResult)
    async def register_coordinator(self, info: Info, input: RegisterCoordinatorInput) -> AuthResult:
        count_sign_up(info)
        user = await administration.register_coordinator(
            info.context.gateway, input.invite_code, input.email, input.password, input.locale
        )
        return signed_in(info, user)

    @strawberry.mutation(description="Log in with email and password.")
    @returns_problems(LoginResult)
    async def login(self, info: Info, email: str, password: str) -> LoginResult:
        user = await registration.sign_in(info.context.gateway, email, password, info.context.client_address)
        return signed_in(info, user)

    @strawberry.mutation(
        description="A fresh token for a still-valid one (call it before `expiresAt`).",
        permission_classes=ANY_SIGNED_IN,
    )
    @returns_problems(RenewResult)
    async def renew_token(self, info: Info) -> RenewResult:
        return signed_in(info, await info.context.require_user())

    @strawberry.mutation(
        description="Remember the language the person chose (en or fr).", permission_classes=ANY_SIGNED_IN
    )
    @returns_problems(LocaleResult)
    async def set_locale(self, info: Info, locale: str) -> LocaleResult:
        user = await info.context.require_user()
        changed = await asyncio.to_thread(info.context.gateway.accounts.set_locale, user.id, locale)
        return Viewer.of(changed)
