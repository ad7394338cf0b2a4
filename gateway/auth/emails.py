"""Login emails at rest: a keyed hash to look an account up, an encrypted copy to show it.

Both keys are derived from ``GATEWAY_DATA_KEY`` with HKDF under different labels, so one secret
is configured but a leak of the lookup hashes says nothing about the encryption key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from email_validator import EmailNotValidError, validate_email

from services.common.problems import Invalid


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


def normalize_email(raw: str) -> str:
    """The address as the account knows it; refuses what is not an email address."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid(f"email: {error}", errors=[{"field": "email", "message": str(error)}]) from error
    return checked.normalized.lower()


class EmailVault:
    def __init__(self, data_key: str):
        self._lookup_key = _derive(data_key, b"gateway email lookup v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(data_key, b"gateway email encryption v1")))

    def lookup(self, normalized_email: str) -> str:
        return hmac.new(self._lookup_key, normalized_email.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, normalized_email: str) -> str:
        return self._fernet.encrypt(normalized_email.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            # Encrypted under another key (a rotated GATEWAY_DATA_KEY): show that, never crash.
            return "(unreadable with the current key)"
