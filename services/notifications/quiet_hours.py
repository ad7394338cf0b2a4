"""A member's quiet hours: a daily window, in their own zone, in which no message goes out.

A message due inside the window is held until it ends, unless what it is about would be over by
then (the task starts, or the offer expires, before the window ends): then it goes out at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from services.common.clock import as_utc
from services.notifications.local_times import zone
from services.notifications.models import Delivery, Recipient, TaskSchedule


def window_end(now: datetime, start: time, end: time, time_zone: str) -> datetime | None:
    """When the window ``start``-``end`` (in ``time_zone``; start after end spans midnight) that
    ``now`` falls in ends; None when ``now`` is outside it."""
    where = zone(time_zone)
    local = now.astimezone(where)
    clock = local.time().replace(tzinfo=None)
    if start == end:
        return None  # an empty window
    if start < end:
        inside, end_day = start <= clock < end, local.date()
    else:
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=where).astimezone(UTC)


def held_until(
    delivery: Delivery, recipient: Recipient | None, schedule: TaskSchedule | None, now: datetime
) -> datetime | None:
    """When a delivery due ``now`` may go out, if the member's quiet hours hold it; None: send now."""
    if recipient is None or recipient.quiet_start is None or recipient.quiet_end is None:
        return None
    until = window_end(now, recipient.quiet_start, recipient.quiet_end, recipient.quiet_time_zone or "UTC")
    if until is None:
        return None
    starts_at = as_utc(schedule.starts_at) if schedule is not None else None
    if starts_at is not None and starts_at <= until:
        return None  # the task starts before the window ends: now or never
    expires_at = as_utc(delivery.expires_at)
    if expires_at is not None and expires_at <= until:
        return None  # the offer would expire while held
    return until
