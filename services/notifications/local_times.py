"""A task's times as its volunteers read them: in the task's own zone, naming the zone.

A Montréal clinic at 17:00 reads "17:00 (America/Toronto)" whatever zone the reader's phone is in;
a task whose state carries no zone (older events) is shown in UTC, saying so.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.common.clock import as_utc

UTC_NAME = "UTC"


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or UTC_NAME)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_NAME)


def local(moment: datetime, time_zone: str | None) -> datetime:
    return as_utc(moment).astimezone(zone(time_zone))


def describe(starts_at: datetime, ends_at: datetime | None, time_zone: str | None, words: dict[str, str]) -> str:
    """e.g. "Sunday 8 March 2026, 10:00 - 12:00 (America/Toronto)", in the catalogue ``words``' language."""
    start = local(starts_at, time_zone)
    end = local(ends_at, time_zone) if ends_at else None
    day = words["date"].format(
        weekday=words["weekdays"].split(",")[start.weekday()],
        day=start.day,
        month=words["months"].split(",")[start.month - 1],
        year=start.year,
    )
    if end is None:
        hours = f"{start:%H:%M}"
    elif end.date() == start.date():
        hours = f"{start:%H:%M} - {end:%H:%M}"
    else:
        hours = f"{start:%H:%M} - {end:%Y-%m-%d %H:%M}"
    return words["when"].format(date=day, hours=hours, zone=zone(time_zone).key)
