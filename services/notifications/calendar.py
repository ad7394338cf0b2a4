"""Calendar invitations (iCalendar, RFC 5545/5546) attached to confirmation and cancellation mails.

The invitation is as discreet as the mail: its title names the coalition, never the task, and it
has no place; the details stay on the member's page behind their sign-in. Times are in the task's
own zone (TZID, with its VTIMEZONE), so a calendar shows the hour the task really starts at even
across a daylight-saving change. A cancellation keeps the UID and raises the SEQUENCE.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT = "-//Coalition Match//notifications//EN"
REQUEST_SEQUENCE, CANCEL_SEQUENCE = 0, 1


def invitation(
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    organizer: str,
    attendee: str,
    summary: str,
    description: str,
    stamp: datetime,
    cancelled: bool = False,
) -> str:
    """METHOD:REQUEST for one event, or METHOD:CANCEL of it; ``uid`` stays the same for both."""
    zone = ZoneInfo(time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("sequence", CANCEL_SEQUENCE if cancelled else REQUEST_SEQUENCE)
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event["organizer"] = vCalAddress(f"mailto:{organizer}")
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["partstat"] = vText("ACCEPTED")
    guest.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", guest, encode=False)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()
