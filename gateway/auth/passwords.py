"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.common.problems import Invalid

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200

_hasher = PasswordHasher()
# Verified against when no account matches, so a login takes as long whether or not it exists.
_UNUSED_HASH = _hasher.hash("an account that does not exist")


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"must be at least {MIN_PASSWORD_LENGTH} characters long"
        raise Invalid(f"password: {message}", errors=[{"field": "password", "message": message}])
    if len(password) > MAX_PASSWORD_LENGTH:
        message = f"must be at most {MAX_PASSWORD_LENGTH} characters long"
        raise Invalid(f"password: {message}", errors=[{"field": "password", "message": message}])


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        _hasher.verify(password_hash or _UNUSED_HASH, password[:MAX_PASSWORD_LENGTH])
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None
