"""The gateway's own expected failures, next to the shared ones in services.common.problems."""

from __future__ import annotations

from services.common.problems import DomainError, ServiceUnavailable

__all__ = ["RateLimited", "ServiceUnavailable", "Unauthenticated"]  # ServiceUnavailable is shared with the services


class Unauthenticated(DomainError):
    status, slug, title = 401, "unauthenticated", "Log in first"


class RateLimited(DomainError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, retry_after_seconds: int):
        super().__init__(detail, retry_after_seconds=retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds
