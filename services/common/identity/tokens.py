"""Service tokens: short-lived JWTs (EdDSA) that say who acts, signed by an issuer for one service.

The gateway signs one for each call it makes to a service (the actor's id and role, audience set
to that service); the services' command-line tools sign theirs as the ``operator`` issuer. A
service believes no header: it verifies the signature against the issuers' public keys it was
given, the audience, the expiry, and that the issuer may assert the role it claims.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from services.common.identity.keys import SigningKey, TrustedKey
from services.common.problems import DomainError, Forbidden

ALGORITHM = "EdDSA"
DEFAULT_TTL_SECONDS = 60
LEEWAY_SECONDS = 5  # clocks of two hosts differ a little
MAX_LIFETIME_SECONDS = 300  # a token meant to live longer than this is refused, whoever signed it

GATEWAY_ISSUER = "gateway"
OPERATOR_ISSUER = "operator"
TASKS_ISSUER = "tasks"
TAXONOMY_READER = "taxonomy"
NOTIFICATIONS_ISSUER = "notifications"
NOTIFIER = "notifier"
# Who may assert which role, unless a service is configured otherwise (*_TOKEN_ISSUER_ROLES).
# ``gateway`` is the gateway acting on its own account (creating a profile at sign-up);
# ``system`` belongs to the services' own command-line tools, never to the gateway;
# ``taxonomy`` is the tasks service reading the skill taxonomy, which grants nothing else;
# ``notifier`` is the notifications service reading a member's delivery address, and nothing else.
DEFAULT_ISSUER_ROLES: dict[str, tuple[str, ...]] = {
    GATEWAY_ISSUER: ("public", "volunteer", "coordinator", "admin", "gateway"),
    OPERATOR_ISSUER: ("system",),
    TASKS_ISSUER: (TAXONOMY_READER,),
    NOTIFICATIONS_ISSUER: (NOTIFIER,),
}
_REQUIRED_CLAIMS = ["iss", "aud", "iat", "exp", "role"]


class Unauthenticated(DomainError):
    status, slug, title = 401, "unauthenticated", "No valid service token"


@dataclass(frozen=True)
class ServiceClaims:
    """What a verified service token says."""

    issuer: str
    audience: str
    role: str
    actor_id: UUID | None
    issued_at: int
    expires_at: int


class TokenIssuer:
    """Signs tokens as ``issuer`` with its current signing key."""

    def __init__(
        self,
        issuer: str,
        signing_key: SigningKey,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < ttl_seconds <= MAX_LIFETIME_SECONDS:
            raise ValueError(f"a service token lives 1 to {MAX_LIFETIME_SECONDS} seconds, not {ttl_seconds}")
        self.issuer = issuer
        self._key = signing_key
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, audience: str, role: str, actor_id: UUID | str | None = None) -> str:
        now = int(self._clock())
        claims: dict[str, Any] = {"iss": self.issuer, "aud": audience, "role": role, "iat": now, "exp": now + self._ttl}
        if actor_id is not None:
            claims["sub"] = str(actor_id)
        return jwt.encode(claims, self._key.private_key, algorithm=ALGORITHM, headers={"kid": self._key.kid})


class TokenVerifier:
    """Accepts the tokens meant for ``audience`` from the trusted keys, within each issuer's roles."""

    def __init__(self, audience: str, trusted_keys: list[TrustedKey], issuer_roles: dict[str, tuple[str, ...]]):
        self.audience = audience
        self._keys = {(key.issuer, key.kid): key.public_key for key in trusted_keys}
        self._roles = {issuer: frozenset(roles) for issuer, roles in issuer_roles.items()}

    def verify(self, token: str) -> ServiceClaims:
        issuer, kid = _unverified_issuer_and_kid(token)
        key = self._keys.get((issuer, kid))
        if key is None:
            raise Unauthenticated(f"the service token's key {kid!r} of issuer {issuer!r} is not trusted here")
        claims = self._decode(token, key, issuer)
        role = claims["role"]
        if not isinstance(role, str) or role not in self._roles.get(issuer, ()):
            raise Forbidden(f"the issuer {issuer!r} may not act as {role!r} here")
        return ServiceClaims(issuer, self.audience, role, _actor_id(claims.get("sub")), claims["iat"], claims["exp"])

    def _decode(self, token: str, key: Ed25519PublicKey, issuer: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS, "strict_aud": True},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the service token expired; the caller must sign a new one") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the service token is meant for another service, not {self.audience}") from None
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the service token is not valid: {error}") from None
        lifetime = claims["exp"] - claims["iat"] if _are_ints(claims["exp"], claims["iat"]) else None
        if lifetime is None or lifetime > MAX_LIFETIME_SECONDS:
            raise Unauthenticated(f"a service token may live at most {MAX_LIFETIME_SECONDS} seconds")
        return claims


def _are_ints(*values: object) -> bool:
    return all(isinstance(value, int) and not isinstance(value, bool) for value in values)


def _unverified_issuer_and_kid(token: str) -> tuple[str, str]:
    """Which key to check the signature with; nothing read here is believed before that check."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise Unauthenticated("the bearer token is not a service token (a signed JWT)") from None
    if not isinstance(kid, str) or not isinstance(issuer, str):
        raise Unauthenticated("the service token names no issuer or no key id")
    return issuer, kid


def _actor_id(subject: object) -> UUID | None:
    if subject is None:
        return None
    try:
        return UUID(str(subject))
    except ValueError:
        raise Unauthenticated("the service token's subject is not an actor id") from None
