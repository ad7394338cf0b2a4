"""Settings of the matching service, read from MATCHING_* environment variables."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import InternalServiceSettings
from services.matching.engine import ScoreWeights


class Settings(InternalServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", populate_by_name=True)

    service_name: str = "matching"
    port: int = 8003
    offer_ttl_seconds: float = Field(24 * 3600, gt=0, description="How long an offer waits for an answer.")
    wave_factor: float = Field(
        1.5, ge=1, description="Pending offers kept per open slot: wave = ceil(open slots x factor)."
    )
    tick_seconds: float = Field(5.0, gt=0, description="Pause between two matching passes of the worker.")
    timezone: str = Field("America/Toronto", description="The coalition's wall clock, for weekly windows.")
    recent_days: int = Field(30, ge=1, description="What 'recent tasks' means for fairness, in days.")
    weight_skill: float = Field(1.0, ge=0)
    weight_availability: float = Field(1.0, ge=0)
    weight_fairness: float = Field(1.0, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def score_weights(self) -> ScoreWeights:
        return ScoreWeights(
            skill=self.weight_skill, availability=self.weight_availability, fairness=self.weight_fairness
        )
