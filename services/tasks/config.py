"""Settings of the tasks service (environment variables prefixed ``TASKS_``)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings
from services.common.time_zones import known_time_zone

# Where a task happens when its coordinator names no zone (the demo coalition is in Montréal).
DEFAULT_TIME_ZONE = "America/Toronto"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_", extra="ignore", populate_by_name=True)

    service_name: str = "tasks"
    port: int = 8002
    default_time_zone: str = DEFAULT_TIME_ZONE
    # The members service owns the skill taxonomy tasks are checked against (see services.tasks.skills).
    members_url: str = "http://127.0.0.1:8001"
    skills_cache_seconds: float = Field(60, ge=0)

    @field_validator("default_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_time_zone(value)
