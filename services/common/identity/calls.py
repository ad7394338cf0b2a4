"""Calls from one service to another, each request carrying a fresh token signed for the callee."""

from __future__ import annotations

from collections.abc import Generator
from uuid import UUID

import httpx

from services.common.identity.tokens import TokenIssuer


class SignedCalls(httpx.Auth):
    """An httpx auth that signs every request as ``role`` toward ``audience`` (the callee's name)."""

    def __init__(self, issuer: TokenIssuer, audience: str, role: str, actor_id: UUID | str | None = None):
        self.issuer, self.audience, self.role, self.actor_id = issuer, audience, role, actor_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.issuer.issue(self.audience, self.role, self.actor_id)}"
        yield request
