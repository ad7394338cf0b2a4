"""Authenticated encryption of members' personal data (names, pronouns, contact channels).

Each value is sealed with AES-256-GCM under the newest configured key. A sealed value records
which key sealed it, so old keys keep decrypting until ``rotate-keys`` has re-sealed every row
(see KEY_ROTATION.md). The row's id and column go in as associated data: a ciphertext copied into
another member's row, or another column, fails to open instead of leaking into the wrong profile.

Layout: ``0x01 | key id (4 bytes) | nonce (12 bytes) | ciphertext + tag``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = b"\x01"
KEY_ID_BYTES = 4
NONCE_BYTES = 12
HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES


class UndecryptableData(Exception):
    """A sealed value that none of the configured keys opens (wrong key, or tampered bytes)."""


def generate_key() -> str:
    """A fresh random key in the configuration format (url-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ValueError(
            "each encryption key must be 32 random bytes in url-safe base64 "
            "(generate one with: uv run python -m services.members generate-key)"
        )
    return key


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_BYTES]


class FieldCipher:
    """Seals and opens values with a list of keys, newest first."""

    def __init__(self, keys: list[bytes]):
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._keys = {key_id(key): AESGCM(key) for key in keys}
        if len(self._keys) != len(keys):
            raise ValueError("the encryption key list holds the same key twice")
        self.newest_key_id = key_id(keys[0])

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.newest_key_id].encrypt(nonce, plaintext, context.encode())
        return FORMAT_VERSION + self.newest_key_id + nonce + sealed

    def open(self, token: bytes, context: str) -> bytes:
        if len(token) <= HEADER_BYTES or token[:1] != FORMAT_VERSION:
            raise UndecryptableData("not a sealed value")
        aead = self._keys.get(self.sealed_with(token))
        if aead is None:
            raise UndecryptableData("sealed with a key that is no longer configured")
        nonce = token[1 + KEY_ID_BYTES : HEADER_BYTES]
        try:
            return aead.decrypt(nonce, token[HEADER_BYTES:], context.encode())
        except InvalidTag:
            raise UndecryptableData("the sealed value was altered or belongs elsewhere") from None

    @staticmethod
    def sealed_with(token: bytes) -> bytes:
        return token[1 : 1 + KEY_ID_BYTES]

    def is_current(self, token: bytes) -> bool:
        return self.sealed_with(token) == self.newest_key_id

    def reseal(self, token: bytes, context: str) -> bytes:
        """The same plaintext sealed under the newest key (with a fresh nonce)."""
        return self.seal(self.open(token, context), context)
