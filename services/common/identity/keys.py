"""Ed25519 key pairs of the issuers of service tokens, as text that fits in one variable.

* a signing key, held by its issuer only: ``<kid>:<private key>``;
* a trusted key, listed by every service that accepts the issuer's tokens: ``<issuer>:<kid>:<public key>``.

Keys are raw 32-byte Ed25519 keys in url-safe base64 without padding. The ``kid`` names a key
pair so several can be trusted at once while one replaces another (see deploy/README.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

KID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")
# Development keys are derived from this well-known text: anyone can forge tokens with them, so
# settings refuse them outside development and test.
DEVELOPMENT_SEED = "dev-only-insecure-secret"


class KeyFormatError(ValueError):
    """A key written in a form this module cannot read."""


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"{what} is not url-safe base64") from None
    if len(raw) != 32:
        raise KeyFormatError(f"{what} must be 32 bytes (an Ed25519 key), not {len(raw)}")
    return raw


def _check_name(value: str, what: str) -> str:
    if not value or not set(value) <= KID_CHARACTERS:
        raise KeyFormatError(f"{what} {value!r} must be non-empty lowercase letters, digits, '-', '_' or '.'")
    return value


@dataclass(frozen=True)
class TrustedKey:
    issuer: str
    kid: str
    public_key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def text(self) -> str:
        return f"{self.issuer}:{self.kid}:{_encode(self.raw)}"

    @classmethod
    def parse(cls, text: str) -> "TrustedKey":
        parts = text.strip().split(":")
        if len(parts) != 3:
            raise KeyFormatError("a trusted key reads issuer:kid:public-key")
        issuer, kid, encoded = parts
        raw = _decode(encoded, f"the public key {kid!r}")
        return cls(_check_name(issuer, "issuer"), _check_name(kid, "kid"), Ed25519PublicKey.from_public_bytes(raw))

    @property
    def is_development_key(self) -> bool:
        return self.raw == development_key(self.issuer).trusted_key(self.issuer).raw


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def text(self) -> str:
        return f"{self.kid}:{_encode(self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))}"

    @classmethod
    def parse(cls, text: str) -> "SigningKey":
        kid, separator, encoded = text.strip().partition(":")
        if not separator:
            raise KeyFormatError("a signing key reads kid:private-key")
        raw = _decode(encoded, f"the private key {kid!r}")
        return cls(_check_name(kid, "kid"), Ed25519PrivateKey.from_private_bytes(raw))

    def trusted_key(self, issuer: str) -> TrustedKey:
        return TrustedKey(issuer, self.kid, self.private_key.public_key())


def new_signing_key(issuer: str, now: datetime | None = None) -> SigningKey:
    """A fresh key pair; its kid says whose it is and when it was made (``gateway-20261202-3fa1``)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d")
    return SigningKey(f"{_check_name(issuer, 'issuer')}-{stamp}-{secrets.token_hex(3)}", Ed25519PrivateKey.generate())


def development_key(issuer: str) -> SigningKey:
    """The fixed, publicly known key of ``issuer`` in development and tests."""
    seed = hashlib.sha256(f"{DEVELOPMENT_SEED}:{issuer}".encode()).digest()
    return SigningKey(f"{issuer}-development", Ed25519PrivateKey.from_private_bytes(seed))


def parse_trusted_keys(text: str) -> list[TrustedKey]:
    """``issuer:kid:key`` entries separated by commas or whitespace."""
    return [TrustedKey.parse(entry) for entry in text.replace(",", " ").split()]
