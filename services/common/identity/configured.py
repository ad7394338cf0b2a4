"""Keys from settings: development keys stand in when nothing is configured in development and
tests, and are refused everywhere else (as the settings refuse placeholder secrets)."""

from __future__ import annotations

from services.common.identity.keys import KeyFormatError, SigningKey, TrustedKey, development_key, parse_trusted_keys


def trusted_keys(
    variable: str, text: str, issuer_roles: dict[str, tuple[str, ...]], development: bool
) -> list[TrustedKey]:
    """The public keys listed in ``variable``; without any, the issuers' development keys in development."""
    try:
        keys = parse_trusted_keys(text)
    except KeyFormatError as error:
        raise ValueError(f"{variable}: {error}") from None
    if not keys:
        if not development:
            raise ValueError(f"{variable} must list the public keys of the issuers this service trusts")
        return [development_key(issuer).trusted_key(issuer) for issuer in issuer_roles]
    for key in keys:
        if key.issuer not in issuer_roles:
            raise ValueError(f"{variable}: a key of issuer {key.issuer!r}, who may assert no role here")
        if not development and key.is_development_key:
            raise ValueError(f"{variable}: {key.kid!r} is a development key; generate real ones (deploy/README.md)")
    return keys


def signing_key(variable: str, issuer: str, text: str, development: bool) -> SigningKey:
    """The issuer's signing key from ``variable``; the development key when unset in development."""
    if not text.strip():
        if not development:
            raise ValueError(f"{variable} must be set: the signing key of the {issuer!r} issuer")
        return development_key(issuer)
    try:
        key = SigningKey.parse(text)
    except KeyFormatError as error:
        raise ValueError(f"{variable}: {error}") from None
    if not development and key.trusted_key(issuer).is_development_key:
        raise ValueError(f"{variable} holds the development key; generate a real one (deploy/README.md)")
    return key
