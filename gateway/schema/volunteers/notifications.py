"""What a volunteer chooses about the platform's messages to them: email on or off, discreet or
detailed, quiet hours in their own time zone. Only the member themself sees or changes them here."""

from __future__ import annotations

from datetime import time

import strawberry

from gateway.clients.contracts import Json
from gateway.clients.contracts.members import NotificationChangesBody, NotificationsReply, ProfileFields, QuietHoursBody
from gateway.schema.enums import MessageDetail, from_wire
from gateway.schema.problems import camel_case
from services.common import contracts
from services.common.problems import DomainError

_UNSET = strawberry.UNSET
SERVICE_FIELD = "notifications."  # where the members service puts these fields in a profile


@strawberry.type(
    description="A daily window in which no message is sent; it is held until the window ends, "
    "unless the task starts before then. A start after the end spans midnight."
)
class QuietHours:
    start: time
    end: time
    time_zone: str = strawberry.field(description="IANA time zone the window is in, e.g. America/Toronto")


@strawberry.type(description="What the member chose about messages from the platform.")
class NotificationPreferences:
    email: bool = strawberry.field(description="Messages are sent by email at all.")
    detail: MessageDetail = strawberry.field(
        description=(
            "DISCREET: the subject and first lines, which a lock screen shows, name no task, place, skill or "
            "person. DETAILED: they name the task and its time."
        )
    )
    quiet_hours: QuietHours | None

    @classmethod
    def from_reply(cls, chosen: NotificationsReply) -> "NotificationPreferences":
        quiet = chosen.quiet_hours
        return cls(
            email=chosen.email,
            detail=from_wire(MessageDetail, chosen.detail.value),
            quiet_hours=QuietHours(start=quiet.start, end=quiet.end, time_zone=quiet.time_zone) if quiet else None,
        )


@strawberry.input
class QuietHoursInput:
    start: time
    end: time = strawberry.field(description="Must differ from start; before start, the window spans midnight.")
    time_zone: str = strawberry.field(description="IANA time zone name, e.g. America/Toronto")


@strawberry.input(description="Only the fields given change; `quietHours: null` turns quiet hours off.")
class NotificationPreferencesInput:
    email: bool | None = _UNSET
    detail: MessageDetail | None = _UNSET
    quiet_hours: QuietHoursInput | None = _UNSET


def preferences_payload(source: NotificationPreferencesInput) -> Json:
    """The members-service profile change for this input: given fields only; null only clears quiet hours."""
    changes = NotificationChangesBody()
    if source.email not in (_UNSET, None):
        changes.email = source.email
    if source.detail not in (_UNSET, None):
        changes.detail = contracts.MessageDetail(source.detail.value)
    if source.quiet_hours is not _UNSET:
        quiet = source.quiet_hours
        changes.quiet_hours = (
            None
            if quiet is None
            else QuietHoursBody(
                start=quiet.start.strftime("%H:%M"), end=quiet.end.strftime("%H:%M"), time_zone=quiet.time_zone
            )
        )
    return ProfileFields(notifications=changes).sent()


def as_input_fields(error: DomainError) -> DomainError:
    """The service names fields inside the profile ("notifications.quiet_hours.end"); the client sent
    them in this input ("quiet_hours.end"): name them as the client knows them."""
    errors = error.extra.get("errors") or []
    for entry in errors:
        entry["field"] = str(entry["field"]).removeprefix(SERVICE_FIELD)
    if errors:
        error.detail = "; ".join(f"{camel_case(entry['field'])}: {entry['message']}" for entry in errors)
    return error
