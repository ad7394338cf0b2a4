"""Settings base: one pydantic-settings class per service, read from the environment."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.identity import DEFAULT_ISSUER_ROLES, TokenVerifier, trusted_keys
from services.common.topics import Topics, TopicSpec, all_topics

REPO_ROOT = Path(__file__).resolve().parents[2]
# Development signing secret: 32 bytes or more, as HS256 wants (PyJWT warns on every token below).
DEV_SIGNING_SECRET = "dev-only-insecure-secret-for-local-signing-only"
DEV_PLACEHOLDER_SECRETS = {"", "change-me", "dev-only-insecure-secret", DEV_SIGNING_SECRET}


class ServiceSettings(BaseSettings):
    """Fields every service shares. Subclasses set ``env_prefix`` (``MEMBERS_``, ``TASKS_``...).

    ``KAFKA_BOOTSTRAP_SERVERS`` and ``ENVIRONMENT`` are read without prefix so one variable
    configures every service started from the same shell.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    environment: str = Field(default="development", validation_alias=AliasChoices("ENVIRONMENT", "environment"))
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = ""
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers")
    )
    topic_partitions: int = 6
    # Durability on a Kafka cluster (deploy/README.md): -1 replicas = the broker's default; no
    # min.insync.replicas = the broker's default; acks "all" waits for every in-sync replica.
    kafka_replication_factor: int = Field(
        default=-1, validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR", "kafka_replication_factor")
    )
    kafka_min_insync_replicas: int | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_MIN_INSYNC_REPLICAS", "kafka_min_insync_replicas")
    )
    kafka_acks: Literal["all", "1"] = Field(default="all", validation_alias=AliasChoices("KAFKA_ACKS", "kafka_acks"))
    topic_prefix: str = Field(default="", validation_alias=AliasChoices("KAFKA_TOPIC_PREFIX", "topic_prefix"))
    outbox_poll_seconds: float = 0.05
    log_level: str = "INFO"
    # Request bodies larger than this are refused with 413 before they are read.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    @model_validator(mode="after")
    def _default_database(self) -> "ServiceSettings":
        if not self.database_url:
            var = REPO_ROOT / "var"
            var.mkdir(exist_ok=True)
            self.database_url = f"sqlite:///{var / (self.service_name + '.db')}"
        return self

    @property
    def topics(self) -> Topics:
        return Topics(self.topic_prefix)

    def topic_specs(self) -> list[TopicSpec]:
        """Every topic the product uses, laid out as this deployment's settings say."""
        return all_topics(
            self.topic_partitions, self.topics, self.kafka_replication_factor, self.kafka_min_insync_replicas
        )

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    def require_secret(self, name: str, value: str) -> str:
        """Refuse placeholder secrets outside development."""
        if not self.is_development and value in DEV_PLACEHOLDER_SECRETS:
            raise ValueError(f"{name} must be set to a real secret when ENVIRONMENT={self.environment}")
        return value


class InternalServiceSettings(ServiceSettings):
    """A service behind the gateway: it acts only on service tokens signed by issuers it trusts.

    ``<PREFIX>TOKEN_ISSUER_KEYS`` lists their public keys (``issuer:kid:key``, comma-separated;
    several per issuer while one replaces another). ``<PREFIX>TOKEN_ISSUER_ROLES`` (JSON) says
    which roles each issuer may assert. In development and tests, with no keys listed, the
    issuers' development keys are trusted; anywhere else keys are required and those refused.
    """

    token_issuer_keys: str = ""
    token_issuer_roles: dict[str, tuple[str, ...]] = Field(default_factory=lambda: dict(DEFAULT_ISSUER_ROLES))

    @model_validator(mode="after")
    def _check_token_keys(self) -> "InternalServiceSettings":
        self.token_verifier  # noqa: B018 - refuse bad keys at start-up, not at the first request
        return self

    @cached_property
    def token_verifier(self) -> TokenVerifier:
        variable = f"{self.model_config.get('env_prefix', '')}TOKEN_ISSUER_KEYS".upper()
        keys = trusted_keys(variable, self.token_issuer_keys, self.token_issuer_roles, self.is_development)
        return TokenVerifier(self.service_name, keys, self.token_issuer_roles)
