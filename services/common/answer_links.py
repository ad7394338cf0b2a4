"""One-click answer links in messages: signed, single-purpose, bound to an offer, a member and an
action, expiring with the offer.

The notifications service signs them with its Ed25519 private key; the gateway, which serves the
pages the links open, holds only the public key: it can check a link but not make one. A token is
``<payload>.<signature>``, both url-safe base64 without padding; the signature covers a purpose
prefix and the payload, so a token signed for anything else never passes as an answer link.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.common.settings import DEV_PLACEHOLDER_SECRETS

PURPOSE = b"coalition-match answer-link v1\n"
UNSUBSCRIBE_PURPOSE = b"coalition-match unsubscribe-link v1\n"
# accept and decline answer an offer; still_coming and cant_come answer a reminder of an accepted one
Action = Literal["accept", "decline", "still_coming", "cant_come"]
ACTIONS: tuple[Action, ...] = ("accept", "decline", "still_coming", "cant_come")
# How long an unsubscribe link in a mail keeps working (mail is read late, and it must keep working).
UNSUBSCRIBE_LINK_DAYS = 365


class InvalidLink(ValueError):
    """Not a link we made, or changed since: it does nothing."""


class ExpiredLink(ValueError):
    """A genuine link whose offer has expired; ``link`` says which (and in which language to say so)."""

    def __init__(self, link: "AnswerLink"):
        super().__init__("this offer expired")
        self.link = link


@dataclass(frozen=True)
class AnswerLink:
    offer_id: UUID
    member_id: UUID
    action: Action
    expires_at: datetime
    language: str = "en"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_key(configured: str) -> Ed25519PrivateKey:
    """The signing key from its setting (url-safe base64 of 32 bytes); development placeholders
    give a fixed key, so local links work without configuration."""
    if configured in DEV_PLACEHOLDER_SECRETS:
        return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(PURPOSE + configured.encode()).digest())
    return Ed25519PrivateKey.from_private_bytes(_unb64(configured))


def public_key(configured: str) -> Ed25519PublicKey:
    """The checking key from its setting; a development placeholder gives the placeholder pair's."""
    if configured in DEV_PLACEHOLDER_SECRETS:
        return private_key(configured).public_key()
    return Ed25519PublicKey.from_public_bytes(_unb64(configured))


def new_key_pair() -> tuple[str, str]:
    """(private, public), each url-safe base64, for the two settings."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _b64(private), _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def sign(link: AnswerLink, key: Ed25519PrivateKey) -> str:
    payload = json.dumps(
        {
            "o": str(link.offer_id),
            "m": str(link.member_id),
            "a": link.action,
            "e": int(link.expires_at.timestamp()),
            "l": link.language,
        },
        separators=(",", ":"),
    ).encode()
    return f"{_b64(payload)}.{_b64(key.sign(PURPOSE + payload))}"


def verify(token: str, key: Ed25519PublicKey, now: datetime | None = None) -> AnswerLink:
    """The link a token stands for; :class:`InvalidLink` or :class:`ExpiredLink` otherwise."""
    try:
        encoded_payload, encoded_signature = token.split(".")
        payload, signature = _unb64(encoded_payload), _unb64(encoded_signature)
        key.verify(signature, PURPOSE + payload)
        fields = json.loads(payload)
        link = AnswerLink(
            UUID(fields["o"]),
            UUID(fields["m"]),
            fields["a"],
            datetime.fromtimestamp(int(fields["e"]), UTC),
            str(fields.get("l", "en"))[:16],
        )
    except (ValueError, KeyError, TypeError, InvalidSignature):
        raise InvalidLink("this link is not valid") from None
    if link.action not in ACTIONS:
        raise InvalidLink("this link is not valid")
    if link.expires_at <= (now or datetime.now(UTC)):
        raise ExpiredLink(link)
    return link


@dataclass(frozen=True)
class UnsubscribeLink:
    """One click turns a member's email off, without logging in (RFC 8058); bound to the member only."""

    member_id: UUID
    issued_at: datetime
    language: str = "en"


def sign_unsubscribe(link: UnsubscribeLink, key: Ed25519PrivateKey) -> str:
    payload = json.dumps(
        {"m": str(link.member_id), "i": int(link.issued_at.timestamp()), "l": link.language}, separators=(",", ":")
    ).encode()
    return f"{_b64(payload)}.{_b64(key.sign(UNSUBSCRIBE_PURPOSE + payload))}"


def verify_unsubscribe(token: str, key: Ed25519PublicKey, now: datetime | None = None) -> UnsubscribeLink:
    """The unsubscribe link a token stands for; :class:`InvalidLink` if it is not one, or is older
    than :data:`UNSUBSCRIBE_LINK_DAYS`. An answer link never passes as one (another purpose)."""
    try:
        encoded_payload, encoded_signature = token.split(".")
        payload, signature = _unb64(encoded_payload), _unb64(encoded_signature)
        key.verify(signature, UNSUBSCRIBE_PURPOSE + payload)
        fields = json.loads(payload)
        link = UnsubscribeLink(
            UUID(fields["m"]), datetime.fromtimestamp(int(fields["i"]), UTC), str(fields.get("l", "en"))[:16]
        )
    except (ValueError, KeyError, TypeError, InvalidSignature):
        raise InvalidLink("this link is not valid") from None
    if link.issued_at + timedelta(days=UNSUBSCRIBE_LINK_DAYS) <= (now or datetime.now(UTC)):
        raise InvalidLink("this link is no longer valid")
    return link
