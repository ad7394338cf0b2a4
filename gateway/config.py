"""The gateway's settings: one pydantic-settings class, read from GATEWAY_* variables."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from gateway.clients.http import IN_FLIGHT_PER_SERVICE
from gateway.limits.proxies import TrustedProxies, parse_networks
from services.common import answer_links
from services.common.identity import (
    GATEWAY_ISSUER,
    NOTIFICATIONS_ISSUER,
    NOTIFIER,
    TokenIssuer,
    TokenVerifier,
    signing_key,
    trusted_keys,
)
from services.common.identity.tokens import DEFAULT_TTL_SECONDS, MAX_LIFETIME_SECONDS
from services.common.settings import DEV_SIGNING_SECRET, ServiceSettings
from services.common.time_zones import known_time_zone

# Who may call the gateway's internal routes, as which role: nobody else, whatever their key.
INTERNAL_CALLERS: dict[str, tuple[str, ...]] = {NOTIFICATIONS_ISSUER: (NOTIFIER,)}
MIN_SECRET_LENGTH = 32  # HS256 wants a key at least as long as its output


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    port: int = 8000

    members_url: str = "http://127.0.0.1:8001"
    tasks_url: str = "http://127.0.0.1:8002"
    matching_url: str = "http://127.0.0.1:8003"
    service_timeout_seconds: float = 5.0
    # Requests the gateway has out to each service at once; more wait in the gateway (no longer than
    # the timeout above). See gateway.clients.http.IN_FLIGHT_PER_SERVICE for why not more.
    service_max_in_flight: int = Field(IN_FLIGHT_PER_SERVICE, ge=1)
    # Signs the token of each call to a service ("kid:private-key", `python -m services.common.identity
    # generate-key gateway`); the services list its public key. Development key when unset in development.
    service_token_key: str = ""
    service_token_ttl_seconds: int = Field(DEFAULT_TTL_SECONDS, ge=5, le=MAX_LIFETIME_SECONDS)
    # Public keys of the services allowed on the gateway's internal routes (issuer:kid:key, comma-
    # separated): the notifications service only, reading a coordinator's delivery address. Its
    # development key when unset in development; required anywhere else.
    token_issuer_keys: str = ""

    # Signs access tokens (HS256). Placeholder values are refused outside development.
    jwt_secret: str = DEV_SIGNING_SECRET
    # Derives the key that encrypts login emails at rest and the key of their lookup HMAC.
    data_key: str = "dev-only-insecure-secret"
    # Checks the one-click answer links in messages: the public half of the notifications service's
    # NOTIFICATIONS_LINK_SIGNING_KEY (url-safe base64 of 32 bytes).
    answer_link_public_key: str = "dev-only-insecure-secret"
    # The coalition's zone, proposed by the coordinator's task form (which sends the zone with each
    # task): keep it equal to TASKS_DEFAULT_TIME_ZONE, the zone of a task posted without one.
    default_time_zone: str = "America/Toronto"
    token_ttl_seconds: int = Field(1800, ge=60, le=24 * 3600)
    invite_ttl_hours: int = Field(72, ge=1, le=24 * 30)

    # Origins of partner sites allowed to call /graphql from a browser (the widget).
    widget_origins: Annotated[list[str], NoDecode] = []

    # Per client address, per minute.
    rate_limit_public_per_minute: int = Field(600, ge=1)
    rate_limit_login_per_minute: int = Field(10, ge=1)
    # Per account (by email lookup hash), per hour: slows password guessing across many addresses.
    rate_limit_login_per_account_per_hour: int = Field(30, ge=1)
    max_websockets_per_address: int = Field(20, ge=1)

    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For the rate limits
    # believe; from anyone else the header is ignored. Empty: limits count the connection's peer.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Off only in unit tests that run without a broker (no subscriptions then).
    live_updates: bool = True

    max_body_bytes: int = Field(64 * 1024, ge=1024)
    max_query_depth: int = Field(8, ge=2)
    max_query_cost: int = Field(5000, ge=10)
    max_aliases: int = Field(15, ge=0)
    max_tokens: int = Field(2000, ge=50)
    max_page_size: int = Field(50, ge=1)
    open_tasks_cache_seconds: float = Field(5.0, ge=0)

    graphiql: bool | None = None  # default: on in development, off otherwise
    introspection: bool | None = None  # schema introspection; default: on in development, off otherwise

    # When both are set, an admin with this email is created at start-up unless the email is taken
    # (deployments without a shell; `python -m gateway create-admin` is the interactive way).
    bootstrap_admin_email: str = ""
    bootstrap_admin_password: str = ""

    @field_validator("widget_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_lists(cls, value):
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> "Settings":
        for name, value in (("GATEWAY_JWT_SECRET", self.jwt_secret), ("GATEWAY_DATA_KEY", self.data_key)):
            self.require_secret(name, value)
            if not self.is_development and len(value) < MIN_SECRET_LENGTH:
                raise ValueError(f"{name} must be at least {MIN_SECRET_LENGTH} characters long")
        self.service_token_issuer()  # a bad or development key stops the start, not the first call
        self.internal_token_verifier  # noqa: B018 - refuse bad trusted keys at start-up too
        self.require_secret("GATEWAY_ANSWER_LINK_PUBLIC_KEY", self.answer_link_public_key)
        answer_links.public_key(self.answer_link_public_key)  # a malformed key fails at start-up
        return self

    def service_token_issuer(self) -> TokenIssuer:
        key = signing_key("GATEWAY_SERVICE_TOKEN_KEY", GATEWAY_ISSUER, self.service_token_key, self.is_development)
        return TokenIssuer(GATEWAY_ISSUER, key, self.service_token_ttl_seconds)

    @cached_property
    def internal_token_verifier(self) -> TokenVerifier:
        """Checks callers of the internal routes: tokens for the audience "gateway", from the
        notifications service as ``notifier`` and from nobody else (the gateway's own key is not
        trusted here, so a token it signs for a volunteer opens nothing)."""
        roles = INTERNAL_CALLERS
        keys = trusted_keys("GATEWAY_TOKEN_ISSUER_KEYS", self.token_issuer_keys, roles, self.is_development)
        return TokenVerifier(GATEWAY_ISSUER, keys, roles)

    @field_validator("default_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        parse_networks(value)
        return value

    @cached_property
    def proxies(self) -> TrustedProxies:
        return TrustedProxies(parse_networks(self.trusted_proxies))

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_development if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.is_development if self.introspection is None else self.introspection
