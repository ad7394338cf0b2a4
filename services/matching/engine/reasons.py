"""Why a member was picked, as data shown to the volunteer and the coordinator in their language.

For example a skill at a level, a shared language and its fluency, the member's free stretches
within the task's time (as instants), the task's area. The readers (web pages, mails) word them;
only matching data appears here (skills, languages, free time, public areas), never anything
personal, and nothing that could shame anyone (a member's load is mentioned only when it is none).

A ``Reason`` is a plain named tuple with the fields of the offer event's ``OfferReason`` (which
it becomes only for the offers actually made, ``OfferReason.model_validate(reason,
from_attributes=True)``): building validated models for every candidate returned made a 60-member
answer several times slower, and a frozen dataclass of this many fields costs twice a tuple.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from services.common.contracts import Fluency, ReasonKind, SkillLevel

from .availability import Segment, free_pieces
from .model import MemberLoad, MemberProfile
from .query import TaskQuery

# How many free stretches a reason lists before it says there are more.
MAX_FREE_PIECES = 2
# The enums by value: a dict lookup is cheaper than calling the enum for every candidate.
LEVELS: dict[int, SkillLevel] = {int(level): level for level in SkillLevel}
FLUENCIES: dict[int, Fluency] = {int(fluency): fluency for fluency in Fluency}


class FreeWindow(NamedTuple):
    start: datetime  # in UTC
    end: datetime


class Reason(NamedTuple):
    """One reason; ``kind`` says which fields it fills (see ``contracts.ReasonKind``)."""

    kind: ReasonKind
    skill: str | None = None
    level: SkillLevel | None = None
    language: str | None = None
    fluency: Fluency | None = None
    windows: tuple[FreeWindow, ...] = ()
    more_windows: bool = False
    share_percent: int | None = None
    before_deadline: bool = False
    area: str | None = None
    area_name: str | None = None
    own_area: bool = False
    distance_km: int | None = None
    recent_tasks: int | None = None


def reasons_for(query: TaskQuery, profile: MemberProfile, load: MemberLoad) -> list[Reason]:
    reasons = [
        Reason(kind=ReasonKind.skill, skill=skill, level=LEVELS[profile.skill_levels[skill]])
        for skill, _ in query.needs
    ]
    spoken = query.shared_language(profile)
    if spoken is not None:
        code, fluency = spoken
        reasons.append(Reason(kind=ReasonKind.language, language=code, fluency=FLUENCIES[fluency]))
    free = _free_time(query, profile)
    if free is not None:
        reasons.append(free)
    if query.task.remote:
        reasons.append(Reason(kind=ReasonKind.remote))
    elif query.task.area is not None:
        reasons.append(_place(query, query.task.area, profile))
    if load.recent_tasks <= 0:
        reasons.append(Reason(kind=ReasonKind.recent_load, recent_tasks=0))
    return reasons


def _place(query: TaskQuery, area: str, profile: MemberProfile) -> Reason:
    """The task's area, and how far it is when it is not the member's own area."""
    geography = query.geography
    own = profile.area == area
    distance = None if own or profile.area is None else geography.distance_km(profile.area, area)
    return Reason(
        kind=ReasonKind.place,
        area=area,
        area_name=geography.name(area),
        own_area=own,
        distance_km=None if distance is None else max(1, round(distance)),
    )


def _free_time(query: TaskQuery, profile: MemberProfile) -> Reason | None:
    window = query.window
    limit = 1 if window.flexible else MAX_FREE_PIECES + 1
    pieces = free_pieces(profile.weekly, profile.unavailable, window.segments, limit)
    if not pieces:
        return None
    shown = pieces[:MAX_FREE_PIECES]
    windows = tuple([_as_window(piece, query.tz) for piece in shown])
    if window.flexible:
        return Reason(kind=ReasonKind.free_time, windows=windows, before_deadline=window.has_deadline)
    free = sum(end - start for _, _, start, end in pieces)
    share = None
    if len(pieces) <= MAX_FREE_PIECES and free < window.minutes:
        share = 100 * free // window.minutes
    return Reason(
        kind=ReasonKind.free_time, windows=windows, more_windows=len(pieces) > MAX_FREE_PIECES, share_percent=share
    )


def _as_window(piece: Segment, tz: tzinfo) -> FreeWindow:
    """A free stretch of one local date (wall-clock minutes in the coalition's zone) as instants."""
    ordinal, _, start, end = piece
    day = date.fromordinal(ordinal)
    return FreeWindow(_instant(day, start, tz), _instant(day, end, tz))


@functools.lru_cache(maxsize=4096)  # the same few task days and window edges, for every candidate
def _instant(day: date, minute: int, tz: tzinfo) -> datetime:
    # Aware arithmetic on one tzinfo is wall-clock arithmetic: minute 1440 is the next midnight,
    # and the offset is the one in force at that wall time (daylight saving included).
    return (datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minute)).astimezone(UTC)
