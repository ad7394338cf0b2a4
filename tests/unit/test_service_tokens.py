"""Service tokens on their own: what a verifier accepts, and the keys settings refuse."""

from __future__ import annotations

import time
from uuid import uuid4

import jwt
import pytest

from services.common.identity import (
    DEFAULT_ISSUER_ROLES,
    TokenIssuer,
    TokenVerifier,
    Unauthenticated,
    development_key,
    new_signing_key,
    trusted_keys,
)
from services.common.identity.keys import SigningKey, TrustedKey
from services.common.problems import Forbidden

GATEWAY_KEY = new_signing_key("gateway")


def verifier(*keys: TrustedKey, roles=DEFAULT_ISSUER_ROLES) -> TokenVerifier:
    return TokenVerifier("members", list(keys) or [GATEWAY_KEY.trusted_key("gateway")], roles)


def test_a_token_says_who_acts_for_which_service():
    actor = uuid4()
    token = TokenIssuer("gateway", GATEWAY_KEY).issue("members", "volunteer", actor)

    claims = verifier().verify(token)

    assert (claims.issuer, claims.audience, claims.role, claims.actor_id) == ("gateway", "members", "volunteer", actor)
    assert claims.expires_at - claims.issued_at == 60


def test_a_token_meant_to_live_long_is_refused_even_when_well_signed():
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "members", "role": "admin", "iat": now, "exp": now + 3600}
    token = jwt.encode(claims, GATEWAY_KEY.private_key, algorithm="EdDSA", headers={"kid": GATEWAY_KEY.kid})

    with pytest.raises(Unauthenticated, match="at most 300 seconds"):
        verifier().verify(token)
    with pytest.raises(ValueError, match="1 to 300 seconds"):
        TokenIssuer("gateway", GATEWAY_KEY, ttl_seconds=3600)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"aud": ["members", "tasks"]}, "another service"),  # one token, one service
        ({"sub": "not-an-id"}, "subject is not an actor id"),
        ({"role": None}, "not valid"),
    ],
)
def test_odd_claims_are_refused(change, message):
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "members", "role": "admin", "iat": now, "exp": now + 60} | change
    token = jwt.encode(claims, GATEWAY_KEY.private_key, algorithm="EdDSA", headers={"kid": GATEWAY_KEY.kid})

    with pytest.raises(Unauthenticated, match=message):
        verifier().verify(token)


def test_a_shared_secret_token_naming_a_trusted_kid_is_refused():
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "members", "role": "admin", "iat": now, "exp": now + 60}
    public_text = GATEWAY_KEY.trusted_key("gateway").text.rsplit(":", 1)[1]
    forged = jwt.encode(claims, public_text, algorithm="HS256", headers={"kid": GATEWAY_KEY.kid})

    with pytest.raises(Unauthenticated):
        verifier().verify(forged)


def test_a_role_outside_the_issuers_list_is_forbidden():
    token = TokenIssuer("gateway", GATEWAY_KEY).issue("members", "system")

    with pytest.raises(Forbidden, match="may not act as 'system'"):
        verifier().verify(token)


def test_an_issuer_signing_with_another_issuers_kid_gets_nowhere():
    operator = new_signing_key("operator")
    both = verifier(GATEWAY_KEY.trusted_key("gateway"), operator.trusted_key("operator"))
    posing = TokenIssuer("operator", GATEWAY_KEY).issue("members", "system")  # the gateway's key, claiming operator

    with pytest.raises(Unauthenticated, match="not trusted"):
        both.verify(posing)


def test_keys_round_trip_through_their_text():
    key = new_signing_key("notifications")

    assert SigningKey.parse(key.text).trusted_key("notifications").raw == key.trusted_key("notifications").raw
    assert TrustedKey.parse(key.trusted_key("notifications").text).kid == key.kid
    assert key.kid.startswith("notifications-")


def test_settings_refuse_bad_development_or_unassigned_keys():
    dev = development_key("gateway").trusted_key("gateway").text
    with pytest.raises(ValueError, match="X_KEYS must list"):
        trusted_keys("X_KEYS", "", DEFAULT_ISSUER_ROLES, development=False)
    with pytest.raises(ValueError, match="is a development key"):
        trusted_keys("X_KEYS", dev, DEFAULT_ISSUER_ROLES, development=False)
    with pytest.raises(ValueError, match="issuer 'reminders', who may assert no role here"):
        trusted_keys(
            "X_KEYS", new_signing_key("reminders").trusted_key("reminders").text, DEFAULT_ISSUER_ROLES, development=True
        )
    with pytest.raises(ValueError, match="must be 32 bytes"):
        trusted_keys("X_KEYS", "gateway:k1:c2hvcnQ", DEFAULT_ISSUER_ROLES, development=True)
    assert [key.issuer for key in trusted_keys("X_KEYS", "", DEFAULT_ISSUER_ROLES, development=True)] == [
        "gateway",
        "operator",
        "tasks",
        "notifications",
    ]
