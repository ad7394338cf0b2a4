"""Who is calling a service, proven: signed service tokens, their issuers and their keys."""

from services.common.identity.calls import SignedCalls
from services.common.identity.configured import signing_key, trusted_keys
from services.common.identity.keys import SigningKey, TrustedKey, development_key, new_signing_key
from services.common.identity.tokens import (
    DEFAULT_ISSUER_ROLES,
    GATEWAY_ISSUER,
    NOTIFICATIONS_ISSUER,
    NOTIFIER,
    OPERATOR_ISSUER,
    TASKS_ISSUER,
    TAXONOMY_READER,
    ServiceClaims,
    TokenIssuer,
    TokenVerifier,
    Unauthenticated,
)

__all__ = [
    "DEFAULT_ISSUER_ROLES",
    "GATEWAY_ISSUER",
    "NOTIFICATIONS_ISSUER",
    "NOTIFIER",
    "OPERATOR_ISSUER",
    "TASKS_ISSUER",
    "TAXONOMY_READER",
    "ServiceClaims",
    "SignedCalls",
    "SigningKey",
    "TokenIssuer",
    "TokenVerifier",
    "TrustedKey",
    "Unauthenticated",
    "development_key",
    "new_signing_key",
    "signing_key",
    "trusted_keys",
]
