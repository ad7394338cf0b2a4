"""Settings of the tasks service (environment variables prefixed ``TASKS_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_", extra="ignore", populate_by_name=True)

    service_name: str = "tasks"
    port: int = 8002
    # The members service owns the skill taxonomy tasks are checked against (see services.tasks.skills).
    members_url: str = "http://127.0.0.1:8001"
    skills_cache_seconds: float = Field(60, ge=0)
