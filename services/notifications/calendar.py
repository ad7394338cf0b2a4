"""Calendar invitations (iCalendar, RFC 5545/5546) attached to confirmation mails.

The invitation is as discreet as the mail: its title names the coalition, never the task, and it
has no place; the details stay on the member's page behind their sign-in. Times are UTC instants,
which every calendar shows in the viewer's own zone.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT = "-//Coalition Match//notifications//EN"


def invitation(uid: str, starts_at: datetime, ends_at: datetime, organizer: str, attendee: str, summary: str,
               description: str, stamp: datetime, sequence: int = 0) -> str:
    """A METHOD:REQUEST invitation for one event; ``uid`` stays the same for later updates."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CONFIRMED")
    event["organizer"] = vCalAddress(f"mailto:{organizer}")
    guest = vCalAddress(f"mailto:{attendee}")
    guest.params["partstat"] = vText("ACCEPTED")
    guest.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", guest, encode=0)
    calendar.add_component(event)
    return calendar.to_ical().decode()
