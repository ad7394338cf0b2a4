"""Every call this service makes to the matching service, in one place.

It asks for one thing only: why a task is not filling (``GET /tasks/{id}/diagnosis``), for the
coordinator's "task at risk" mail. The answer holds counts, never a member.

Each request carries a fresh service token signed by this service (issuer ``notifications``) with
the role ``notifier``, for the audience ``matching``: the one read matching allows that role.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import httpx

from services.common.identity import NOTIFIER, SignedCalls, TokenIssuer


class TaskUnknown(Exception):
    """Matching has not heard of the task (or no longer holds it): there is nothing to diagnose."""


class MatchingUnavailable(Exception):
    """The matching service did not answer usefully; try again later."""


@dataclass(frozen=True)
class TaskDiagnosis:
    """How far a task has filled and why not further, as matching sees it now."""

    slots: int
    accepted: int
    eligible: int  # members who fit the task and have not been asked yet
    pending: int  # offers out, not answered yet
    declined: int
    expired: int  # offers left unanswered until they expired

    def filled_share(self) -> float:
        return self.accepted / self.slots if self.slots else 1.0


class MatchingClient:
    def __init__(
        self, base_url: str, timeout_s: float, tokens: TokenIssuer, transport: httpx.BaseTransport | None = None
    ):
        self.http = httpx.Client(
            base_url=base_url, timeout=timeout_s, transport=transport, auth=SignedCalls(tokens, "matching", NOTIFIER)
        )

    def diagnosis(self, task_id: UUID) -> TaskDiagnosis:
        try:
            response = self.http.get(f"/tasks/{task_id}/diagnosis")
        except httpx.HTTPError as error:
            raise MatchingUnavailable(type(error).__name__) from None
        if response.status_code == 404:
            raise TaskUnknown(str(task_id))
        if response.status_code != 200:
            raise MatchingUnavailable(f"matching service answered {response.status_code}")
        body = response.json()
        try:
            return TaskDiagnosis(**{name: int(body[name]) for name in TaskDiagnosis.__dataclass_fields__})
        except (KeyError, TypeError, ValueError):  # an older matching: it lacks the counts
            raise MatchingUnavailable("matching's diagnosis lacks the counts") from None

    def close(self) -> None:
        self.http.close()
