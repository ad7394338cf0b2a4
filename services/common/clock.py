"""The one clock convention of every service: aware datetimes in UTC.

Databases hand datetimes back naive (SQLite) or aware (PostgreSQL); everything is stored in UTC,
so ``as_utc`` reads either as the same instant in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utc_now() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """The instant in UTC, aware; None stays None (an optional column)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
