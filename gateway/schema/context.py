"""The typed request context: who is asking, the gateway's wiring, per-request loaders."""

from __future__ import annotations

import asyncio
from functools import cached_property
from uuid import UUID

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from gateway.auth.tokens import TokenClaims
from gateway.clients.http import PUBLIC, Actor
from gateway.errors import Unauthenticated
from gateway.models import Role, User
from gateway.schema.loaders import Loaders
from gateway.state import Gateway


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Context(BaseContext):
    def __init__(self, gateway: Gateway, token: str | None, client_address: str):
        super().__init__()
        self.gateway = gateway
        self.client_address = client_address
        self._token = token
        self._user: User | None = None
        self._user_known = False  # read from the token at most once (None is an answer too)

    @property
    def settings(self):
        return self.gateway.settings

    @property
    def clients(self):
        return self.gateway.clients

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.gateway, self)

    def refresh_loaders(self) -> None:
        """Forget what loaders fetched: a WebSocket's context outlives many results."""
        self.__dict__.pop("loaders", None)

    def use_token(self, token: str | None) -> TokenClaims | None:
        """Switch to another token (a WebSocket's connection_init); returns its claims if valid."""
        self._token, self._user, self._user_known = token, None, False
        self.refresh_loaders()
        return self.gateway.tokens.read(token) if token else None

    async def user(self) -> User | None:
        """The signed-in account, or None (anonymous, expired token, disabled account)."""
        if not self._user_known:
            claims = self.gateway.tokens.read(self._token) if self._token else None
            self._user = await asyncio.to_thread(self.gateway.accounts.user_for, claims) if claims else None
            self._user_known = True
        return self._user

    async def require_user(self) -> User:
        user = await self.user()
        if user is None:
            raise Unauthenticated("Log in first.")
        return user

    async def actor(self) -> Actor:
        """Who the services are told is acting."""
        user = await self.user()
        if user is None:
            return PUBLIC
        return actor_for(user)

    async def member_id(self) -> UUID:
        user = await self.require_user()
        if user.member_id is None:
            raise Unauthenticated("This account has no volunteer profile.")
        return user.member_id


def actor_for(user: User) -> Actor:
    if user.role == Role.volunteer:
        return Actor(user.member_id, Role.volunteer.value)
    return Actor(user.id, Role(user.role).value)


Info = StrawberryInfo[Context, None]
