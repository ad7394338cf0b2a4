"""Settings of the tasks service (environment variables prefixed ``TASKS_``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.common.identity import TASKS_ISSUER, TokenIssuer, signing_key
from services.common.settings import InternalServiceSettings
from services.common.time_zones import known_time_zone

if TYPE_CHECKING:
    from services.common.runtime import Runtime

# Where a task happens when its coordinator names no zone (the demo coalition is in Montréal).
DEFAULT_TIME_ZONE = "America/Toronto"
# How far ahead a series' occurrences are posted (each then gets its own offers).
SERIES_HORIZON = timedelta(weeks=4)


class Settings(InternalServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TASKS_", extra="ignore", populate_by_name=True)

    service_name: str = "tasks"
    port: int = 8002
    default_time_zone: str = DEFAULT_TIME_ZONE
    # The members service owns the skill taxonomy tasks are checked against (see services.tasks.skills).
    members_url: str = "http://127.0.0.1:8001"
    skills_cache_seconds: float = Field(60, ge=0)
    series_horizon_days: int = Field(SERIES_HORIZON.days, ge=1, le=366)
    series_check_seconds: float = Field(3600, gt=0)  # how often the horizon rolls forward
    # After a task ends, how long its volunteers may stay unmarked before they count as attended.
    attendance_assumed_after_hours: float = Field(72, gt=0)
    # Attendance older than this (after the task's end) is reduced to counts; checked this often.
    attendance_keep_days: int = Field(365, ge=1)
    attendance_check_seconds: float = Field(6 * 3600, gt=0)
    # Signs this service's own reads of the taxonomy (issuer "tasks"; members must trust its public key).
    service_token_key: str = ""

    @field_validator("default_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_time_zone(value)

    @model_validator(mode="after")
    def _check_signing_key(self) -> "Settings":
        self.service_token_issuer()  # a bad or development key stops the start, not the first read
        return self

    def service_token_issuer(self) -> TokenIssuer:
        return TokenIssuer(
            TASKS_ISSUER,
            signing_key("TASKS_SERVICE_TOKEN_KEY", TASKS_ISSUER, self.service_token_key, self.is_development),
        )


def settings_of(runtime: Runtime) -> Settings:
    """The runtime's settings as this service's own (the runtime holds any service's settings)."""
    settings = runtime.settings
    if not isinstance(settings, Settings):
        raise TypeError(f"the tasks app runs on tasks Settings, not {type(settings).__name__}")
    return settings
