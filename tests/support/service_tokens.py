"""Calling a service as someone, the way the product does: with a signed service token.

    ADMIN = signed_headers("members", "admin", uuid4())
    client.get("/members", headers=ADMIN)          # a fresh token every time the headers are sent
    ADMIN.actor_id                                 # the id the token carries

Services under test run with ``ENVIRONMENT=test`` and trust the issuers' development keys, so a
test signs with those unless it passes its own ``key`` (a rotated or unknown one). The role
picks the issuer as the product does: ``system`` comes from the operator's command-line tools,
every other role from the gateway.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from uuid import UUID

import httpx

from services.common.identity import DEFAULT_ISSUER_ROLES, SigningKey, TokenIssuer, development_key, new_signing_key


def issuer_of(role: str) -> str:
    issuer = next((issuer for issuer, roles in DEFAULT_ISSUER_ROLES.items() if role in roles), None)
    if issuer is None:
        raise ValueError(f"no issuer asserts {role!r} by default; pass issuer=...")
    return issuer


class SignedHeaders(Mapping[str, str]):
    """``Authorization: Bearer <token>`` for ``role`` (and ``actor_id``) toward ``audience``,
    signed anew each time the headers are read, so module constants never expire."""

    def __init__(
        self,
        audience: str,
        role: str,
        actor_id: UUID | str | None = None,
        *,
        issuer: str | None = None,
        key: SigningKey | None = None,
        ttl_seconds: int = 60,
        clock=None,
    ):
        self.audience, self.role = audience, role
        self.actor_id = None if actor_id is None else str(actor_id)
        self.issuer = issuer or issuer_of(role)
        options = {"clock": clock} if clock else {}
        self._tokens = TokenIssuer(self.issuer, key or development_key(self.issuer), ttl_seconds, **options)

    def token(self) -> str:
        return self._tokens.issue(self.audience, self.role, self.actor_id)

    def __getitem__(self, name: str) -> str:
        if name != "Authorization":
            raise KeyError(name)
        return f"Bearer {self.token()}"

    def __iter__(self) -> Iterator[str]:
        return iter(("Authorization",))

    def __len__(self) -> int:
        return 1

    def __repr__(self) -> str:
        return f"SignedHeaders({self.audience!r}, {self.role!r}, {self.actor_id!r})"


def signed_headers(audience: str, role: str, actor_id: UUID | str | None = None, **options) -> SignedHeaders:
    return SignedHeaders(audience, role, actor_id, **options)


class CallsAs(httpx.Auth):
    """A client's default caller: requests that name no caller of their own act as ``headers``."""

    def __init__(self, headers: SignedHeaders):
        self.headers = headers

    def auth_flow(self, request: httpx.Request):
        if "authorization" not in request.headers:
            request.headers["Authorization"] = self.headers["Authorization"]
        yield request


def calling_as(client, headers: SignedHeaders):
    """``client`` (a TestClient or httpx client) with ``headers`` as its default caller."""
    client.auth = CallsAs(headers)
    return client


def real_trusted_keys() -> str:
    """A ``*_TOKEN_ISSUER_KEYS`` value with fresh keys of every issuer, for settings outside development."""
    return ",".join(new_signing_key(issuer).trusted_key(issuer).text for issuer in DEFAULT_ISSUER_ROLES)
