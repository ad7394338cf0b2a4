"""When a series' occurrences happen: an RFC 5545 RRULE subset (weekly, every 2 weeks, monthly on
the nth weekday; until a date or N times) read by python-dateutil, in the series' time zone.

The rule runs over local wall-clock times and each occurrence is placed in the zone afterwards, so
a 18:00 clinic stays at 18:00 across daylight-saving changes (its UTC time moves instead). A local
time that does not exist on a spring-forward night is read as the same wall time before the
change (Python's ``fold=0``), i.e. one hour later than the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, rruleset, rrulestr, weekday

Frequency = Literal["weekly", "monthly"]
MAX_OCCURRENCES = 200  # a series is a rhythm, not a calendar: a longer one is a new series later


@dataclass(frozen=True)
class Occurrence:
    index: int  # 0 for the first
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC


def rule_text(frequency: Frequency, interval: int, first_local: datetime, until: date | None, count: int | None) -> str:
    """The RRULE (without DTSTART); a monthly rule repeats the first date's nth weekday (its
    5th one counts as the month's last)."""
    monthly = frequency == "monthly"
    nth = (first_local.day - 1) // 7 + 1
    rule = rrule(
        MONTHLY if monthly else WEEKLY,
        dtstart=first_local,
        interval=1 if monthly else interval,
        byweekday=weekday(first_local.weekday(), -1 if nth == 5 else nth) if monthly else None,
        until=datetime.combine(until, time(23, 59, 59)) if until is not None else None,
        count=count,
    )
    text = str(rule)
    return text.split("\n", 1)[1].removeprefix("RRULE:")


def local_starts(rule: str, first_local: datetime) -> rrule | rruleset:
    return rrulestr(rule, dtstart=first_local)  # an rruleset only for text holding several rules


def occurrences(
    rule: str,
    first_local: datetime,
    duration: timedelta,
    zone: str,
    *,
    from_index: int = 0,
    until_utc: datetime | None = None,
) -> list[Occurrence]:
    """Occurrences from ``from_index`` on, starting no later than ``until_utc`` (all when None)."""
    tz = ZoneInfo(zone)
    found = []
    for index, local in enumerate(islice(local_starts(rule, first_local), MAX_OCCURRENCES)):
        if index < from_index:
            continue
        starts_at = local.replace(tzinfo=tz).astimezone(UTC)
        if until_utc is not None and starts_at > until_utc:
            break
        found.append(Occurrence(index, starts_at, (local + duration).replace(tzinfo=tz).astimezone(UTC)))
    return found


def total(rule: str, first_local: datetime) -> int | None:
    """How many occurrences the rule has, if it ends (until or count); None if it runs on."""
    if "UNTIL=" not in rule and "COUNT=" not in rule:
        return None
    return sum(1 for _ in islice(local_starts(rule, first_local), MAX_OCCURRENCES))


def moved(occurrence_start: datetime, zone: str, new_time: time, duration: timedelta) -> tuple[datetime, datetime]:
    """The occurrence on its own local date at ``new_time`` (for "this and following" edits)."""
    tz = ZoneInfo(zone)
    local = datetime.combine(occurrence_start.astimezone(tz).date(), new_time)
    return local.replace(tzinfo=tz).astimezone(UTC), (local + duration).replace(tzinfo=tz).astimezone(UTC)
