"""Value objects a profile is made of: contact channels, skills, languages, availability.

Deliberately absent, here and everywhere: immigration status, citizenship, nationality, ethnicity,
religion. Request models forbid unknown fields, so a client that sends one gets a 422 naming it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.common.contracts import MessageDetail, Weekday
from services.common.http_api import FluencyName, LanguageCode, SkillLevelName, Slug, plain_text
from services.common.time_zones import TimeZoneName


class Strict(BaseModel):
    """Base of request parts: unknown fields are refused (422 naming the field)."""

    model_config = ConfigDict(extra="forbid")


T = TypeVar("T")
LEFT_OUT = "left out: None, unchanged"

# A field of a change that may be left out, and is then None (unchanged), but is refused when sent as
# null, which would not say what to change it to. The type checker sees what the field holds, T or
# None; pydantic sees T alone, so a null sent fails T's own validation and the schema documents T.
if TYPE_CHECKING:
    Omittable = Annotated[T | None, LEFT_OUT]
else:
    Omittable = Annotated[T, LEFT_OUT]

DisplayName = plain_text(80)
Pronouns = plain_text(40)
TermName = plain_text(80)  # of a skill or an area
TermDescription = plain_text(500, required=False)
CityName = plain_text(80)
PHONE_PATTERN = r"^\+?\(?[0-9][0-9 ().-]{5,22}[0-9]$"
SIGNAL_USERNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{2,31}\.[0-9]{2,9}$")


class EmailChannel(Strict):
    value: EmailStr = Field(max_length=254)
    consent: bool = Field(description="May coordinators of accepted tasks reach the member this way?")


class PhoneChannel(Strict):
    value: Annotated[str, StringConstraints(strip_whitespace=True, pattern=PHONE_PATTERN)] = Field(
        description="Phone number, international format preferred, e.g. +1 514 555 0100"
    )
    consent: bool


class SignalChannel(Strict):
    value: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = Field(
        description="Signal username (name.42) or the phone number registered with Signal"
    )
    consent: bool

    @field_validator("value")
    @classmethod
    def _username_or_number(cls, value: str) -> str:
        if SIGNAL_USERNAME.match(value) or re.match(PHONE_PATTERN, value):
            return value
        raise ValueError("must be a Signal username like 'name.42' or a phone number")


Channel = Literal["email", "phone", "signal"]
CHANNELS: tuple[Channel, ...] = ("email", "phone", "signal")


class Contacts(Strict):
    """How the member may be reached; at least one channel, each with its own consent."""

    email: EmailChannel | None = None
    phone: PhoneChannel | None = None
    signal: SignalChannel | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> "Contacts":
        if not any(getattr(self, channel) for channel in CHANNELS):
            raise ValueError("give at least one contact channel: email, phone or signal")
        return self

    def channels(self) -> dict[Channel, EmailChannel | PhoneChannel | SignalChannel]:
        return {name: getattr(self, name) for name in CHANNELS if getattr(self, name) is not None}


class SkillClaimIn(Strict):
    skill: Slug = Field(description="Skill slug from GET /skills, e.g. 'graphic-design'")
    level: SkillLevelName


class LanguageIn(Strict):
    code: LanguageCode
    fluency: FluencyName = "fluent"


def _weekday_name(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return Weekday(value).name
    return value


WeekdayName = Annotated[
    Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    BeforeValidator(_weekday_name),
]


LocalTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="Local wall-clock time, 24-hour HH:MM", examples=["10:00"]),
]


class WeeklyWindowIn(Strict):
    """A recurring free slot in the member's local time, e.g. Saturday 10:00-14:00."""

    weekday: WeekdayName
    start: LocalTime
    end: LocalTime

    @model_validator(mode="after")
    def _in_order(self) -> "WeeklyWindowIn":
        if self.start >= self.end:  # zero-padded HH:MM compares correctly as text
            raise ValueError("start must be before end (split windows that cross midnight in two)")
        return self


class QuietHoursIn(Strict):
    """A daily window in the member's own zone in which no message goes out; 22:00-07:00 spans midnight."""

    start: LocalTime
    end: LocalTime
    time_zone: TimeZoneName = Field(description="IANA time zone of the member, e.g. America/Toronto")

    @field_validator("end")
    @classmethod
    def _not_empty(cls, end: str, info: ValidationInfo) -> str:
        if end == info.data.get("start"):
            raise ValueError(
                "must differ from start: a window that starts and ends at the same minute is "
                "either empty or the whole day; turn email off instead to get no messages"
            )
        return end


class NotificationSettings(Strict):
    """What the member chose about the platform's messages to them (never an address)."""

    email: bool = Field(default=True, description="Send messages by email at all")
    detail: MessageDetail = Field(
        default=MessageDetail.discreet,
        description=(
            "discreet: what a lock screen shows names no task, place, skill or person; "
            "detailed: messages name the task and its time"
        ),
    )
    quiet_hours: QuietHoursIn | None = None

    @classmethod
    def stored(cls, data: dict) -> "NotificationSettings":
        """Settings as saved: checked when written, so not checked again on every read."""
        quiet = data.get("quiet_hours")
        return cls.model_construct(
            email=bool(data["email"]),
            detail=MessageDetail(data["detail"]),
            quiet_hours=QuietHoursIn.model_construct(**quiet) if quiet else None,
        )

    def merged(self, changes: dict) -> "NotificationSettings":
        """These settings with ``changes`` (a dump of the fields sent in :class:`NotificationChanges`)."""
        return NotificationSettings.model_validate(self.model_dump(mode="json") | changes)


class NotificationChanges(Strict):
    """Only the fields sent change; ``quiet_hours: null`` turns quiet hours off."""

    email: Omittable[bool] = None
    detail: Omittable[MessageDetail] = None
    quiet_hours: QuietHoursIn | None = None


AWAY_SINCE_AT_MOST = timedelta(days=31)  # time away already begun may be entered a little late
AWAY_UNTIL_AT_MOST = timedelta(days=730)  # plans further ahead than two years are not plans


class DateRangeIn(Strict):
    """Dates (inclusive) when the member is away, from a month ago to two years ahead."""

    start: date
    end: date

    @model_validator(mode="after")
    def _in_order(self) -> "DateRangeIn":
        if self.start > self.end:
            raise ValueError("start must be on or before end")
        today = datetime.now(UTC).date()
        if self.start < today - AWAY_SINCE_AT_MOST:
            raise ValueError(
                f"start may be at most {AWAY_SINCE_AT_MOST.days} days ago "
                f"({(today - AWAY_SINCE_AT_MOST).isoformat()} or later)"
            )
        if self.end > today + AWAY_UNTIL_AT_MOST:
            raise ValueError(
                f"end may be at most 2 years ahead ({(today + AWAY_UNTIL_AT_MOST).isoformat()} or earlier)"
            )
        return self


def require_unique(values: list, what: str) -> list:
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)
    return values


SkillClaims = Annotated[list[SkillClaimIn], Field(max_length=30)]
Languages = Annotated[list[LanguageIn], Field(max_length=15)]
WeeklyWindows = Annotated[list[WeeklyWindowIn], Field(max_length=42)]
DateRanges = Annotated[list[DateRangeIn], Field(max_length=50)]


def _as_slug(value: Any) -> Any:
    """'Labour rights' becomes 'labour-rights': members write causes as words, stored as slugs."""
    if not isinstance(value, str):
        return value
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()  # 'Défense' -> 'Defense'
    slug = re.sub(r"[^a-z0-9]+", "-", plain.strip().lower()).strip("-")
    if not slug:
        raise ValueError(f"{value!r} has no letters or digits; write a cause such as 'labour rights'")
    return slug


Interest = Annotated[str, BeforeValidator(_as_slug), StringConstraints(max_length=60)]
Interests = Annotated[
    list[Interest],
    Field(
        max_length=20,
        description="Causes the member cares about, as words or slugs ('Labour rights' is kept as "
        "'labour-rights'): letters and digits, other characters become hyphens",
    ),
]
TasksPerMonth = Annotated[int, Field(ge=1, le=31, description="Most tasks the member wants offered per month")]
MAX_REACH_KM = 500


class Reach(Strict):
    """Where the member can go besides their own area (any of the three, together)."""

    areas: list[Slug] = Field(default=[], max_length=30, description="Other areas the member can go to (GET /areas)")
    whole_city: bool = Field(default=False, description="Any area of the city or region containing the member's area")
    km: int | None = Field(
        default=None,
        ge=1,
        le=MAX_REACH_KM,
        description="Any area whose centre is at most this far from the centre of the member's area",
    )

    @field_validator("areas")
    @classmethod
    def _each_area_once(cls, areas: list[str]) -> list[str]:
        require_unique(areas, "area")
        return areas


def check_profile_lists(model: Any) -> Any:
    """Skills, languages and interests each appear once (shared by create and update)."""
    if model.skills is not None:
        require_unique([claim.skill for claim in model.skills], "skill")
    if model.languages is not None:
        require_unique([language.code for language in model.languages], "language")
    if model.interests is not None:
        require_unique(model.interests, "interest")
    return model
