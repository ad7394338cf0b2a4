"""Settings of the members service (environment variables prefixed ``MEMBERS_``)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEV_PLACEHOLDER_SECRETS, InternalServiceSettings
from services.members.crypto import FieldCipher, decode_key

DEV_KEY_PLACEHOLDER = "dev-only-insecure-secret"


class Settings(InternalServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MEMBERS_", extra="ignore", populate_by_name=True)

    service_name: str = "members"
    port: int = 8001
    encryption_keys: str = Field(
        default=DEV_KEY_PLACEHOLDER,
        description="Comma-separated AES-256 keys (url-safe base64), newest first; see KEY_ROTATION.md",
    )
    inactive_retention: timedelta = Field(
        default=timedelta(days=730), description="Profiles nobody used for this long are purged (ISO 8601, e.g. P730D)"
    )
    retention_sweep_seconds: float = Field(default=3600.0, gt=0, description="How often the retention job runs")

    @model_validator(mode="after")
    def _check_keys(self) -> "Settings":
        self.encryption_key_list()  # fail at start-up, not at the first request
        if self.inactive_retention <= timedelta(0):
            raise ValueError("MEMBERS_INACTIVE_RETENTION must be a positive duration")
        return self

    def encryption_key_list(self) -> list[bytes]:
        entries = [entry.strip() for entry in self.encryption_keys.split(",")] or [""]
        keys = []
        for entry in entries:
            if entry in DEV_PLACEHOLDER_SECRETS:
                self.require_secret("MEMBERS_ENCRYPTION_KEYS", entry)
                # Development only: a fixed key derived from the placeholder, so local data survives restarts.
                keys.append(hashlib.sha256(entry.encode()).digest())
            else:
                keys.append(decode_key(entry))
        return keys

    def cipher(self) -> FieldCipher:
        return FieldCipher(self.encryption_key_list())
