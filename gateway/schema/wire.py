"""Reading the services' JSON: timestamps and dates arrive as ISO 8601 strings."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import overload
from uuid import UUID

from services.common.problems import Invalid


@overload
def parse_datetime(value: str | datetime) -> datetime: ...
@overload
def parse_datetime(value: None) -> None: ...
def parse_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def parse_date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def parse_time(value: str | time) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def parse_id(value: str, field: str) -> UUID:
    """An id argument, or a ValidationProblem naming the argument."""
    try:
        return UUID(str(value))
    except ValueError:
        raise Invalid(f"{field}: not an id", errors=[{"field": field, "message": "not an id"}]) from None
