"""Private calendar feed links: ``/calendar/<token>.ics``, where the token names an account and the
version of its link, under an HMAC of the gateway's secret.

The token is the only credential a calendar application can hold, so it is long and unguessable;
it is not stored, it is recomputed from the account's ``calendar_feed_version``. Renewing the link
raises the version and the old token stops matching, erasing the account removes both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

PURPOSE = b"coalition-match calendar-feed v1\n"
MAC_BYTES = 20


class InvalidFeedLink(ValueError):
    """Not a calendar link this gateway made."""


@dataclass(frozen=True)
class FeedLink:
    user_id: UUID
    version: int


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _mac(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), PURPOSE + payload, hashlib.sha256).digest()[:MAC_BYTES]


def make(link: FeedLink, secret: str) -> str:
    payload = link.user_id.bytes + link.version.to_bytes(4, "big")
    return _b64(payload + _mac(secret, payload))


def read(token: str, secret: str) -> FeedLink:
    """The link a token stands for; :class:`InvalidFeedLink` if it was not made with ``secret``."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        raise InvalidFeedLink("this calendar link is not valid") from None
    payload, mac = raw[:20], raw[20:]
    if len(raw) != 20 + MAC_BYTES or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise InvalidFeedLink("this calendar link is not valid")
    return FeedLink(UUID(bytes=payload[:16]), int.from_bytes(payload[16:], "big"))


def path(link: FeedLink, secret: str) -> str:
    return f"/calendar/{make(link, secret)}.ics"
