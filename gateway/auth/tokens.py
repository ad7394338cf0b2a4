"""Short-lived signed access tokens (JWT, HS256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

ISSUER = "coalition-match-gateway"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenClaims:
    user_id: UUID
    role: str
    version: int


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int):
        self._secret = secret
        self.ttl = timedelta(seconds=ttl_seconds)

    def issue(self, user_id: UUID, role: str, version: int) -> IssuedToken:
        expires_at = datetime.now(UTC).replace(microsecond=0) + self.ttl
        claims = {"sub": str(user_id), "role": role, "ver": version, "iss": ISSUER, "exp": expires_at}
        return IssuedToken(jwt.encode(claims, self._secret, algorithm="HS256"), expires_at)

    def read(self, token: str) -> TokenClaims | None:
        """The claims of a valid, unexpired token; None for anything else."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "sub"]}
            )
            return TokenClaims(UUID(claims["sub"]), str(claims["role"]), int(claims.get("ver", 0)))
        except (jwt.PyJWTError, ValueError, KeyError, TypeError):
            return None
