"""Every call this service makes to the gateway, in one place.

It asks for one thing only: a coordinator's delivery address (coordinators are gateway accounts,
not members), through the gateway's internal, audited read with purpose ``notification``. The
answer is returned to the caller and kept nowhere: not in the database, a log line or an exception.

Each request carries a fresh service token signed by this service (issuer ``notifications``) with
the role ``notifier``, for the audience ``gateway``; the gateway trusts no other caller there.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import httpx

from services.common.identity import NOTIFIER, SignedCalls, TokenIssuer


class AccountGone(Exception):
    """No active coordinator account has this id (any more): nothing will be sent to it."""


class GatewayUnavailable(Exception):
    """The gateway did not answer usefully; try again later."""


@dataclass(frozen=True)
class AccountAddress:
    address: str | None
    language: str  # the language the coordinator chose for the web app


class GatewayClient:
    def __init__(
        self, base_url: str, timeout_s: float, tokens: TokenIssuer, transport: httpx.BaseTransport | None = None
    ):
        self.http = httpx.Client(
            base_url=base_url, timeout=timeout_s, transport=transport, auth=SignedCalls(tokens, "gateway", NOTIFIER)
        )

    def delivery_address(self, account_id: UUID) -> AccountAddress:
        try:
            response = self.http.get(
                f"/internal/accounts/{account_id}/delivery-address", params={"purpose": "notification"}
            )
        except httpx.HTTPError as error:
            raise GatewayUnavailable(type(error).__name__) from None
        if response.status_code == 404:
            raise AccountGone(str(account_id))
        if response.status_code != 200:
            raise GatewayUnavailable(f"gateway answered {response.status_code}")
        body = response.json()
        return AccountAddress(body.get("address"), str(body.get("language") or ""))

    def close(self) -> None:
        self.http.close()
