"""The gateway's settings: one pydantic-settings class, read from GATEWAY_* variables."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from services.common import answer_links
from services.common.settings import ServiceSettings

MIN_SECRET_LENGTH = 32  # HS256 wants a key at least as long as its output


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    port: int = 8000

    members_url: str = "http://127.0.0.1:8001"
    tasks_url: str = "http://127.0.0.1:8002"
    matching_url: str = "http://127.0.0.1:8003"
    service_timeout_seconds: float = 5.0

    # Signs access tokens (HS256). Placeholder values are refused outside development.
    jwt_secret: str = "dev-only-insecure-secret"
    # Derives the key that encrypts login emails at rest and the key of their lookup HMAC.
    data_key: str = "dev-only-insecure-secret"
    # Checks the one-click answer links in messages: the public half of the notifications service's
    # NOTIFICATIONS_LINK_SIGNING_KEY (url-safe base64 of 32 bytes).
    answer_link_public_key: str = "dev-only-insecure-secret"
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

    # Behind a reverse proxy, rate limits count the client from X-Forwarded-For.
    trust_forwarded_for: bool = False
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

    # When both are set, an admin with this email is created at start-up unless the email is taken
    # (deployments without a shell; `python -m gateway create-admin` is the interactive way).
    bootstrap_admin_email: str = ""
    bootstrap_admin_password: str = ""

    @field_validator("widget_origins", mode="before")
    @classmethod
    def _split_origins(cls, value):
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> "Settings":
        for name, value in (("GATEWAY_JWT_SECRET", self.jwt_secret), ("GATEWAY_DATA_KEY", self.data_key)):
            self.require_secret(name, value)
            if not self.is_development and len(value) < MIN_SECRET_LENGTH:
                raise ValueError(f"{name} must be at least {MIN_SECRET_LENGTH} characters long")
        self.require_secret("GATEWAY_ANSWER_LINK_PUBLIC_KEY", self.answer_link_public_key)
        answer_links.public_key(self.answer_link_public_key)  # a malformed key fails at start-up
        return self

    @property
    def graphiql_enabled(self) -> bool:
        return self.is_development if self.graphiql is None else self.graphiql
