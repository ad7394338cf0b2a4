"""The development signing secret is long enough for HS256: no warning on every token."""

from __future__ import annotations

import warnings
from uuid import uuid4

from gateway.auth.tokens import TokenService
from gateway.config import Settings


def test_tokens_signed_with_the_development_secret_raise_no_key_length_warning():
    settings = Settings(environment="development")
    tokens = TokenService(settings.jwt_secret, settings.token_ttl_seconds)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        issued = tokens.issue(uuid4(), "volunteer", 1)
        assert tokens.read(issued.token) is not None

    assert [str(warning.message) for warning in caught] == []
    assert len(settings.jwt_secret.encode()) >= 32


def test_the_development_secret_is_refused_in_production():
    try:
        Settings(environment="production", data_key="x" * 40)
    except ValueError as error:
        assert "GATEWAY_JWT_SECRET" in str(error)
    else:
        raise AssertionError("production accepted the development signing secret")
