"""Settings of the matching service, read from MATCHING_* environment variables."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.settings import InternalServiceSettings
from services.matching.engine import ScoreWeights
from services.matching.waves import AnswerTime, WavePolicy
from services.matching.widening import AutoWiden

if TYPE_CHECKING:
    from services.common.runtime import Runtime


class Settings(InternalServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHING_", extra="ignore", populate_by_name=True)

    service_name: str = "matching"
    port: int = 8003
    offer_ttl_seconds: float = Field(24 * 3600, gt=0, description="The longest an offer waits for an answer.")
    offer_ttl_min_seconds: float = Field(
        2 * 3600,
        gt=0,
        description="The shortest answer time, unless the task starts sooner (or the longest is shorter).",
    )
    offer_ttl_share: float = Field(
        0.25, gt=0, le=1, description="Answer time as a share of the time left before the task starts."
    )
    wave_factor: float = Field(
        1.5, ge=1, description="Pending offers kept per open slot before any answer: ceil(open slots x factor)."
    )
    widest_wave_factor: float = Field(
        4.0, ge=1, description="Pending offers per open slot at most, when declines or silence widen the wave."
    )
    slow_answer_share: float = Field(
        0.5, gt=0, le=1, description="Share of its answer time after which an unanswered offer widens the wave."
    )
    max_pending_offers: int = Field(2, ge=1, description="Offers a member may have waiting for an answer at once.")
    auto_widen: list[AutoWiden] = Field(
        default_factory=lambda: [AutoWiden(widening="whole_city", hours_before=48)],
        description="Steps an unfilled in-person task takes by itself as its start approaches, as JSON: "
        '[{"widening": "whole_city", "hours_before": 48}] (also any_level, any_fluency; [] for none).',
    )
    tick_seconds: float = Field(5.0, gt=0, description="Longest pause of the worker when nothing is due.")
    reconcile_seconds: float = Field(
        60.0, gt=0, description="A reconciliation pass over every open task starts at most this often."
    )
    timezone: str = Field("America/Toronto", description="The coalition's wall clock, for weekly windows.")
    recent_days: int = Field(30, ge=1, description="What 'recent tasks' means for fairness, in days.")
    weight_skill: float = Field(1.0, ge=0)
    weight_availability: float = Field(1.0, ge=0)
    weight_fairness: float = Field(1.0, ge=0)
    weight_reliability: float = Field(
        0.5, ge=0, description="The most taken off a member's score for repeated no-shows (0: attendance is not used)."
    )
    no_show_days: int = Field(
        180, ge=1, description="How long a no-show counts against a member's rank, in days after the task ended."
    )

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
    def answer_time(self) -> AnswerTime:
        return AnswerTime(
            share=self.offer_ttl_share,
            shortest=timedelta(seconds=self.offer_ttl_min_seconds),
            longest=timedelta(seconds=self.offer_ttl_seconds),
        )

    @property
    def waves(self) -> WavePolicy:
        return WavePolicy(self.wave_factor, self.widest_wave_factor, self.slow_answer_share)

    @property
    def score_weights(self) -> ScoreWeights:
        return ScoreWeights(
            skill=self.weight_skill,
            availability=self.weight_availability,
            fairness=self.weight_fairness,
            reliability=self.weight_reliability,
        )


def settings_of(runtime: Runtime) -> Settings:
    """The runtime's settings as this service's own (the runtime holds any service's settings)."""
    settings = runtime.settings
    if not isinstance(settings, Settings):
        raise TypeError(f"the matching app runs on matching Settings, not {type(settings).__name__}")
    return settings
