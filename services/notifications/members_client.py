"""Every call this service makes to the members service, in one place.

It asks for one thing only: a member's delivery address for a channel, through the members
service's audited contact read with purpose ``notification``. The answer is returned to the caller
and kept nowhere: not in the database, not in a log line, not in an exception message.

Each request carries a fresh service token signed by this service (issuer ``notifications``) with
the role ``notifier``: the one role the members service lets read a delivery address, and nothing
else.
"""

from __future__ import annotations

from uuid import UUID

import httpx

from services.common.identity import NOTIFIER, SignedCalls, TokenIssuer


class MemberGone(Exception):
    """The member does not exist (any more): nothing will ever be sent to them."""


class MembersUnavailable(Exception):
    """The members service did not answer usefully; try again later."""


class MembersClient:
    def __init__(
        self, base_url: str, timeout_s: float, tokens: TokenIssuer, transport: httpx.BaseTransport | None = None
    ):
        self.http = httpx.Client(
            base_url=base_url, timeout=timeout_s, transport=transport, auth=SignedCalls(tokens, "members", NOTIFIER)
        )

    def delivery_address(self, member_id: UUID, channel: str) -> str | None:
        """The member's address on ``channel``, or None when they have none there."""
        try:
            response = self.http.get(f"/members/{member_id}/delivery-address", params={"channel": channel})
        except httpx.HTTPError as error:
            raise MembersUnavailable(type(error).__name__) from None
        if response.status_code in (404, 410):
            raise MemberGone(str(member_id))
        if response.status_code != 200:
            raise MembersUnavailable(f"members service answered {response.status_code}")
        return response.json()["address"]

    def close(self) -> None:
        self.http.close()
