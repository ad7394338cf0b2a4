"""Settings of the tasks service (environment variables prefixed ``TASKS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import InternalServiceSettings


class Settings(InternalServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_", extra="ignore", populate_by_name=True)

    service_name: str = "tasks"
    port: int = 8002
