"""Why a member was picked, as data shown to the volunteer and the coordinator in their language.

For example a skill at a level, a shared language and its fluency, the member's free stretches
within the task's time (as instants), the task's area. The readers (web pages, mails) word them;
only matching data appears here (skills, languages, free time, public areas), never anything
personal, and nothing that could shame anyone (a member's load is mentioned only when it is none).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from services.common.contracts import Fluency, OfferReason, ReasonKind, SkillLevel, TimeWindow

from .availability import Segment, free_pieces
from .model import MemberLoad, MemberProfile
from .query import TaskQuery

# How many free stretches a reason lists before it says there are more.
MAX_FREE_PIECES = 2


def reasons_for(query: TaskQuery, profile: MemberProfile, load: MemberLoad) -> list[OfferReason]:
    reasons = [
        OfferReason(kind=ReasonKind.skill, skill=skill, level=SkillLevel(profile.skill_levels[skill]))
        for skill, _ in query.needs
    ]
    spoken = query.shared_language(profile)
    if spoken is not None:
        code, fluency = spoken
        reasons.append(OfferReason(kind=ReasonKind.language, language=code, fluency=Fluency(fluency)))
    free = _free_time(query, profile)
    if free is not None:
        reasons.append(free)
    if query.task.remote:
        reasons.append(OfferReason(kind=ReasonKind.remote))
    elif query.task.area is not None:
        reasons.append(_place(query, query.task.area, profile))
    if load.recent_tasks <= 0:
        reasons.append(OfferReason(kind=ReasonKind.recent_load, recent_tasks=0))
    return reasons


def _place(query: TaskQuery, area: str, profile: MemberProfile) -> OfferReason:
    """The task's area, and how far it is when it is not the member's own area."""
    geography = query.geography
    own = profile.area is None or profile.area == area
    distance = None if own or profile.area is None else geography.distance_km(profile.area, area)
    return OfferReason(kind=ReasonKind.place, area=area, area_name=geography.name(area), own_area=own,
                       distance_km=None if distance is None else max(1, round(distance)))


def _free_time(query: TaskQuery, profile: MemberProfile) -> OfferReason | None:
    window = query.window
    limit = 1 if window.flexible else MAX_FREE_PIECES + 1
    pieces = free_pieces(profile.weekly, profile.unavailable, window.segments, limit)
    if not pieces:
        return None
    shown = pieces[:MAX_FREE_PIECES]
    windows = [_as_window(piece, query.tz) for piece in shown]
    if window.flexible:
        return OfferReason(kind=ReasonKind.free_time, windows=windows, before_deadline=window.has_deadline)
    free = sum(end - start for _, _, start, end in pieces)
    share = None
    if len(pieces) <= MAX_FREE_PIECES and free < window.minutes:
        share = 100 * free // window.minutes
    return OfferReason(kind=ReasonKind.free_time, windows=windows, more_windows=len(pieces) > MAX_FREE_PIECES,
                       share_percent=share)


def _as_window(piece: Segment, tz: tzinfo) -> TimeWindow:
    """A free stretch of one local date (wall-clock minutes in the coalition's zone) as instants."""
    ordinal, _, start, end = piece
    day = date.fromordinal(ordinal)
    return TimeWindow(start=_instant(day, start, tz), end=_instant(day, end, tz))


def _instant(day: date, minute: int, tz: tzinfo) -> datetime:
    # Aware arithmetic on one tzinfo is wall-clock arithmetic: minute 1440 is the next midnight,
    # and the offset is the one in force at that wall time (daylight saving included).
    return (datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minute)).astimezone(UTC)
