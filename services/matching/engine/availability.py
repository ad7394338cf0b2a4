"""Weekly availability against a task's time window, on the coalition's wall clock.

Members give weekly windows in the coalition's time zone ("Saturday 10:00-14:00"), so a task's
aware datetimes are converted to that zone and overlaps are counted in wall-clock minutes.

Conventions, kept identical everywhere the engine reads availability:

- a window ending at 00:00 runs until midnight; a window ending before it starts runs overnight,
  and its minutes after midnight belong to the next day; a window ending when it starts is empty;
- an unavailable date range is inclusive and blocks the minutes that fall on its dates;
- seconds are ignored; around a daylight-saving change a task lasts its wall-clock length, which
  is how members read their own windows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from services.common.contracts import TaskState

MINUTES_PER_DAY = 24 * 60

# A task with a start but no end is taken to last this long.
ASSUMED_DURATION = timedelta(hours=1)
# A task with neither a time nor a deadline needs some free time within this horizon.
FLEXIBLE_HORIZON = timedelta(weeks=8)

Interval = tuple[int, int]  # [start, end) minutes of the day
WeeklyMinutes = tuple[tuple[Interval, ...], ...]  # seven days, Monday first, sorted and merged
Segment = tuple[int, int, int, int]  # (date ordinal, weekday, start minute, end minute)


def weekly_minutes(windows: Iterable[tuple[int, time, time]]) -> WeeklyMinutes:
    """Each day's free minutes, sorted and merged (worked out for every member at start-up)."""
    days: list[list[Interval]] = [[], [], [], [], [], [], []]
    for weekday, start_time, end_time in windows:
        start = start_time.hour * 60 + start_time.minute
        end = end_time.hour * 60 + end_time.minute or MINUTES_PER_DAY  # 00:00 is midnight
        if end > start:
            days[weekday].append((start, end))
        elif end < start:
            days[weekday].append((start, MINUTES_PER_DAY))
            days[(weekday + 1) % 7].append((0, end))
    return shared(tuple([_merged(day) if day else () for day in days]))


# One copy of each distinct availability pattern, shared by every member who has it: members
# mostly pick the same few windows, so this saves memory and keeps the hot loop in cache.
# It only grows with the number of distinct patterns ever seen.
_SHARED: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def shared(value: tuple[Any, ...]) -> tuple[Any, ...]:
    return _SHARED.setdefault(value, value)


def shared_nested(value: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    """``shared`` for a tuple of tuples, whose items are shared too (looked at only when the
    whole is new: a known whole already holds shared items)."""
    found = _SHARED.get(value)
    if found is None:
        found = tuple([shared(item) for item in value])
        _SHARED[found] = found  # its own key: one tuple kept, not two
    return found


def _minute_of(moment: time | datetime) -> int:
    return moment.hour * 60 + moment.minute


def _merged(intervals: list[Interval]) -> tuple[Interval, ...]:
    if len(intervals) > 1:
        merged: list[Interval] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        intervals = merged
    return shared_nested(tuple(intervals))


@dataclass(frozen=True, slots=True)
class TaskWindow:
    """When a task can be done, cut into one wall-clock segment per local date.

    A fixed task (``starts_at`` set) needs members free for part of it, and the share of it they
    cover counts in the score. A flexible task only needs members free at some point between now
    and its deadline.
    """

    segments: tuple[Segment, ...]
    minutes: int
    flexible: bool
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    has_deadline: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.segments


def task_window(task: TaskState, tz: tzinfo, now: datetime) -> TaskWindow:
    if task.starts_at is not None:
        ends_at = task.ends_at or task.starts_at + ASSUMED_DURATION
        segments = _local_segments(task.starts_at.astimezone(tz), ends_at.astimezone(tz))
        return TaskWindow(segments, _total(segments), False, task.starts_at, ends_at)
    until = task.deadline or now + FLEXIBLE_HORIZON
    segments = _local_segments(now.astimezone(tz), until.astimezone(tz))
    return TaskWindow(segments, _total(segments), True, has_deadline=task.deadline is not None)


def _local_segments(start: datetime, end: datetime) -> tuple[Segment, ...]:
    segments = []
    day, last_day = start.date(), end.date()
    while day <= last_day:
        first_minute = _minute_of(start) if day == start.date() else 0
        last_minute = _minute_of(end) if day == last_day else MINUTES_PER_DAY
        if last_minute > first_minute:
            segments.append((day.toordinal(), day.weekday(), first_minute, last_minute))
        day += timedelta(days=1)
    return tuple(segments)


def _total(segments: tuple[Segment, ...]) -> int:
    return sum(end - start for _, _, start, end in segments)


def free_minutes(
    weekly: WeeklyMinutes,
    unavailable: tuple[tuple[int, int], ...],
    segments: tuple[Segment, ...],
    first_only: bool = False,
) -> int:
    """Minutes of the segments the member is free for; with ``first_only``, stop at the first.

    Called for every member of a task's pool, so it avoids min()/max() calls.
    """
    total = 0
    for ordinal, weekday, start, end in segments:
        day = weekly[weekday]
        if not day or (unavailable and is_unavailable(ordinal, unavailable)):
            continue
        for free_start, free_end in day:
            if free_start >= end:
                break
            if free_end > start:
                total += (free_end if free_end < end else end) - (free_start if free_start > start else start)
        if first_only and total:
            return total
    return total


def free_pieces(
    weekly: WeeklyMinutes,
    unavailable: tuple[tuple[int, int], ...],
    segments: tuple[Segment, ...],
    limit: int,
) -> list[Segment]:
    """The first ``limit`` stretches of the segments the member is free for (for the reasons)."""
    pieces: list[Segment] = []
    for ordinal, weekday, start, end in segments:
        if unavailable and is_unavailable(ordinal, unavailable):
            continue
        for free_start, free_end in weekly[weekday]:
            piece = (ordinal, weekday, max(free_start, start), min(free_end, end))
            if piece[3] > piece[2]:
                pieces.append(piece)
                if len(pieces) == limit:
                    return pieces
    return pieces


def is_unavailable(ordinal: int, unavailable: tuple[tuple[int, int], ...]) -> bool:
    return any(first <= ordinal <= last for first, last in unavailable)
