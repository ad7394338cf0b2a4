"""IANA time zone names, checked once for every service that takes one."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, StringConstraints


def known_time_zone(name: str) -> str:
    """``name`` if it is an IANA zone such as ``America/Toronto``; a ValueError a person can act on otherwise."""
    if "/" not in name and name != "UTC":  # refuses abbreviations ("EST") and bare offsets
        raise ValueError(f"'{name}' is not an IANA time zone name; give one such as America/Toronto or Europe/Paris")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}'; give an IANA name such as America/Toronto") from None
    if name not in available_timezones():
        raise ValueError(f"unknown time zone '{name}'; give an IANA name such as America/Toronto")
    return name


TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(known_time_zone)]
