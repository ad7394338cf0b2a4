"""Settings of the notifications service, read from NOTIFICATIONS_* environment variables."""

from __future__ import annotations

import enum

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.common import answer_links
from services.common.identity import NOTIFICATIONS_ISSUER, TokenIssuer, signing_key
from services.common.settings import InternalServiceSettings


class SmtpSecurity(str, enum.Enum):
    none = "none"  # plain SMTP: only for a relay on the same host (Mailpit in development)
    starttls = "starttls"  # connect in plain text, then upgrade (port 587)
    tls = "tls"  # TLS from the first byte (port 465)


class Settings(InternalServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", populate_by_name=True)

    service_name: str = "notifications"
    port: int = 8004
    members_url: str = Field("http://127.0.0.1:8001", description="Where the members service answers.")
    members_timeout_seconds: float = Field(5.0, gt=0)
    gateway_url: str = Field(
        "http://127.0.0.1:8000", description="Where the gateway answers internal calls (coordinators' addresses)."
    )
    gateway_timeout_seconds: float = Field(5.0, gt=0)
    matching_url: str = Field(
        "http://127.0.0.1:8003", description="Where the matching service answers (why a task is not filling)."
    )
    matching_timeout_seconds: float = Field(5.0, gt=0)
    # Signs this service's reads of delivery addresses (issuer "notifications", role "notifier");
    # members must list its public half in MEMBERS_TOKEN_ISSUER_KEYS, the gateway in
    # GATEWAY_TOKEN_ISSUER_KEYS (coordinators' addresses), matching in MATCHING_TOKEN_ISSUER_KEYS
    # (a task's diagnosis, for the at-risk mail).
    service_token_key: str = ""
    public_url: str = Field("http://127.0.0.1:8000", description="The web app's address, for links in messages.")
    coalition_name: str = Field(
        "Coalition Match",
        min_length=1,
        max_length=80,
        description="Signs every message; says who writes without saying about what.",
    )
    default_language: str = Field("en", description="For members none of whose languages has a catalogue.")
    link_signing_key: str = Field(
        "dev-only-insecure-secret",
        description="Ed25519 private key (url-safe base64 of 32 bytes) signing one-click answer links; the "
        "gateway holds its public half. `uv run python -m deploy.make_secrets` writes both.",
    )
    link_lifetime_seconds: float = Field(7 * 24 * 3600, gt=0, description="For offers that never expire.")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_security: SmtpSecurity = SmtpSecurity.none
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    smtp_keepalive_seconds: float = Field(
        30.0,
        ge=0,
        description="How long a sending thread keeps its SMTP connection open for the next "
        "message; 0: a connection per message.",
    )
    mail_from: str = Field("Coalition Match <no-reply@localhost>", description="The From header of every mail.")

    reminder_offsets_seconds: list[float] = Field(
        [24 * 3600, 2 * 3600],
        description="How long before an accepted task's start each reminder goes out, e.g. [86400, 7200] (JSON).",
    )

    at_risk_fill_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="A task with less than this share of its places taken when the at-risk "
        "check is due gets one mail to its coordinator.",
    )
    at_risk_seconds_before: float = Field(
        48 * 3600, gt=0, description="How long before a task's start its at-risk check is due (48 h)."
    )

    record_retention_days: float = Field(30, gt=0, description="Finished delivery records are deleted after this.")
    purge_every_seconds: float = Field(3600, gt=0, description="How often old delivery records are looked for.")

    send_poll_seconds: float = Field(
        0.2,
        gt=0,
        description="Longest pause of the sender when nothing is due; a delivery queued by this "
        "process wakes it at once, so this is for held ones coming due and other instances'.",
    )
    send_concurrency: int = Field(
        4, ge=1, le=32, description="Deliveries sent at the same time, each thread over its own SMTP connection."
    )
    # With the defaults a delivery is tried for about 1 h 45 min (2 s, 4 s, ... then every 15 min)
    # before it is marked failed: a relay restarting or briefly unreachable loses nothing.
    max_attempts: int = Field(15, ge=1, description="Attempts before a delivery is marked failed.")
    retry_base_seconds: float = Field(2.0, gt=0, description="First retry delay; doubles with each attempt.")
    retry_max_seconds: float = Field(900.0, gt=0, description="Longest pause between two attempts.")
    claim_seconds: float = Field(60.0, gt=0, description="How long one instance holds a delivery it is sending.")

    @field_validator("reminder_offsets_seconds")
    @classmethod
    def _positive_offsets(cls, offsets: list[float]) -> list[float]:
        if any(offset <= 0 for offset in offsets):
            raise ValueError("every reminder offset must be a positive number of seconds before the start")
        return sorted(set(offsets), reverse=True)

    @model_validator(mode="after")
    def _production_mail(self) -> "Settings":
        if (
            not self.is_development
            and self.smtp_security is SmtpSecurity.none
            and self.smtp_host not in ("127.0.0.1", "localhost", "::1")
        ):
            raise ValueError("NOTIFICATIONS_SMTP_SECURITY must be starttls or tls for a relay on another host")
        if self.smtp_username:
            self.require_secret("NOTIFICATIONS_SMTP_PASSWORD", self.smtp_password)
        self.require_secret("NOTIFICATIONS_LINK_SIGNING_KEY", self.link_signing_key)
        answer_links.private_key(self.link_signing_key)  # a malformed key fails at start-up
        self.service_token_issuer()  # a bad or development key stops the start, not the first send
        return self

    def service_token_issuer(self) -> TokenIssuer:
        key = signing_key(
            "NOTIFICATIONS_SERVICE_TOKEN_KEY", NOTIFICATIONS_ISSUER, self.service_token_key, self.is_development
        )
        return TokenIssuer(NOTIFICATIONS_ISSUER, key)
