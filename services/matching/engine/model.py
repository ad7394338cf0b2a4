"""Plain data the engine takes in and gives back, and its compact copy of each member.

The engine keeps a ``MemberProfile`` per member rather than the ``MemberState`` it was given: a
validated pydantic state weighs about 6 kB, the profile a fraction of that, and the matcher holds
every member of the coalition in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from hashlib import blake2b
from typing import TYPE_CHECKING
from uuid import UUID

from services.common.contracts import (
    DateRange,
    Fluency,
    LanguageClaim,
    MemberState,
    MemberStatus,
    Reach,
    SkillClaim,
    SkillLevel,
    Weekday,
    WeeklyWindow,
)

from .availability import WeeklyMinutes, shared, shared_nested, weekly_minutes
from .geography import NO_REACH, Geography, ReachSpec

if TYPE_CHECKING:
    from .reasons import Reason


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """How much each part of the score counts; the matching service fills it from configuration."""

    skill: float = 1.0
    availability: float = 1.0
    fairness: float = 1.0
    # At most this much is taken off for not coming repeatedly (see ``scoring.missed``).
    reliability: float = 0.5

    def __post_init__(self) -> None:
        for name in ("skill", "availability", "fairness", "reliability"):
            if getattr(self, name) < 0:
                raise ValueError(f"score weight {name!r} must not be negative")


@dataclass(frozen=True, slots=True)
class MemberLoad:
    """What the matching service knows of a member's current commitments.

    ``busy`` holds the (start, end) of tasks the member already accepted, as aware datetimes.
    ``no_shows`` counts the tasks lately ended that the member accepted and did not come to,
    without a word (excused absences are not counted).
    """

    tasks_this_month: int = 0
    recent_tasks: int = 0
    last_offered_at: datetime | None = None
    busy: tuple[tuple[datetime, datetime], ...] = ()
    no_shows: int = 0


NO_LOAD = MemberLoad()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member the task may be offered to, with the reasons shown on the offer (as data)."""

    member_id: UUID
    score: float
    reasons: list[Reason]


def stable_hash64(identifier: UUID) -> int:
    """A 64-bit hash that is the same in every process (unlike ``hash()``, which is salted)."""
    return int.from_bytes(blake2b(identifier.bytes, digest_size=8).digest(), "big")


@dataclass(slots=True)
class MemberProfile:
    """The engine's own copy of a member: what matching reads, in the shape it reads it fastest.

    ``key`` is a small integer standing for the member inside the index: integers hash and compare
    in C, whereas every ``UUID`` hash or comparison is a Python-level call.

    Never changed once made (a change to the member makes a new profile), but not a frozen
    dataclass: those set each field through ``object.__setattr__``, which made creating a profile
    several times slower, and every member's profile is created at start-up.
    """

    member_id: UUID
    key: int
    status: MemberStatus
    skill_levels: dict[str, int]
    languages: tuple[tuple[str, int], ...]
    windows: tuple[tuple[int, time, time], ...]
    weekly: WeeklyMinutes
    unavailable: tuple[tuple[int, int], ...]  # inclusive (first, last) date ordinals
    area: str | None
    remote_ok: bool
    max_tasks_per_month: int
    interests: tuple[str, ...]
    committees: tuple[UUID, ...]  # sorted; members-only tasks need their committee here
    reach: ReachSpec
    # Resolved from area and reach on the engine's geography (see ``geography``): every area the
    # member can go to, and the city or region of their own area.
    places: frozenset[str]
    home_city: str | None

    @classmethod
    def from_state(cls, state: MemberState, key: int, geography: Geography) -> MemberProfile:
        # Runs for every member at start-up: the parts many members share are looked up, not
        # rebuilt (see availability.shared).
        windows = shared_nested(tuple([(int(w.weekday), w.start, w.end) for w in state.weekly_availability]))
        return cls(  # by position: keywords cost as much again
            state.member_id,
            key,
            state.status,
            _highest_levels(state.skills),
            shared_nested(tuple([(claim.code, int(claim.fluency)) for claim in state.languages])),
            windows,
            weekly_minutes(windows),
            _date_ranges(state.unavailable) if state.unavailable else (),
            state.area,
            state.remote_ok,
            state.max_tasks_per_month,
            shared(tuple(state.interests)),
            shared(tuple(sorted(state.committees))),
            *_places(state, geography),
        )

    def placed(self, geography: Geography) -> MemberProfile:
        """This profile with its places resolved again on another geography."""
        reach, places, home_city = _resolved(self.area, self.reach, geography)
        if places == self.places and home_city == self.home_city:
            return self
        return replace(self, places=places, home_city=home_city)

    @property
    def active(self) -> bool:
        return self.status == MemberStatus.active

    def to_state(self) -> MemberState:
        """The member as given, except that a skill listed twice comes back once, at its higher
        level, and skills come back in alphabetical order."""
        return MemberState(
            member_id=self.member_id,
            status=self.status,
            skills=[SkillClaim(skill=s, level=SkillLevel(lv)) for s, lv in self.skill_levels.items()],
            languages=[LanguageClaim(code=c, fluency=Fluency(f)) for c, f in self.languages],
            weekly_availability=[WeeklyWindow(weekday=Weekday(d), start=s, end=e) for d, s, e in self.windows],
            unavailable=[DateRange(start=date.fromordinal(a), end=date.fromordinal(b)) for a, b in self.unavailable],
            area=self.area,
            remote_ok=self.remote_ok,
            max_tasks_per_month=self.max_tasks_per_month,
            interests=list(self.interests),
            committees=list(self.committees),
            reach=Reach(areas=list(self.reach[0]), whole_city=self.reach[1], km=self.reach[2]),
        )


def _places(state: MemberState, geography: Geography) -> tuple[ReachSpec, frozenset[str], str | None]:
    reach = state.reach
    spec = (
        NO_REACH
        if not (reach.areas or reach.whole_city or reach.km)
        else shared((shared(tuple(sorted(reach.areas))), reach.whole_city, reach.km))
    )
    return _resolved(state.area, spec, geography)


def _resolved(area: str | None, reach: ReachSpec, geography: Geography) -> tuple[ReachSpec, frozenset[str], str | None]:
    home_city = None if area is None else geography.city_of(area)
    return reach, geography.reachable(area, reach), home_city


def _date_ranges(ranges: list[DateRange]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted([(r.start.toordinal(), r.end.toordinal()) for r in ranges]))


def _highest_levels(skills: list[SkillClaim]) -> dict[str, int]:
    """A member listing a skill twice is held at the higher of the two levels: sorted by (skill,
    level), the pairs give ``dict`` each skill's highest level last, and the last one wins."""
    claims = tuple(sorted([(claim.skill, int(claim.level)) for claim in skills]))
    levels = _SHARED_LEVELS.get(claims)
    if levels is None:
        levels = _SHARED_LEVELS[claims] = dict(claims)
    return levels


# Members with the same skills at the same levels share one (never mutated) dictionary, for the
# same reasons as availability.shared.
_SHARED_LEVELS: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}
