"""Model families of the notifications service: Recipient (what we know of a member), Delivery.

Neither holds an address, a name or a message body: a member's address is read from the members
service at send time and lives only in memory for that send; the body is rendered then too. A new
request's delivery keeps the offer's reasons as data (skills, languages, free time, public area),
as offers.events carries them; they go with the record (erasure, purge).
"""

from __future__ import annotations

import enum
from datetime import datetime, time
from uuid import UUID, uuid4

from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.common.clock import utc_now


def _when(nullable: bool = False, **kwargs):
    return Field(sa_type=DateTime(timezone=True), nullable=nullable, **kwargs)


class MessageKind(str, enum.Enum):
    """What a message is about; one catalogue entry and one metric label each."""

    new_offer = "new_offer"
    offer_withdrawn = "offer_withdrawn"  # the task filled, was cancelled or closed: nothing to do
    offer_accepted = "offer_accepted"  # confirmation, with a calendar invitation when the time is known
    reminder = "reminder"  # before an accepted task starts, with "still coming" / "can't come" links
    task_cancelled = "task_cancelled"  # to those who accepted, with a calendar cancellation
    acceptance_withdrawn = "acceptance_withdrawn"  # the volunteer stepped back: a calendar cancellation
    # To the task's coordinator (a gateway account, not a member):
    task_filled = "task_filled"  # every place of their task is taken
    volunteer_withdrew = "volunteer_withdrew"  # a volunteer who had said yes can no longer come
    task_at_risk = "task_at_risk"  # their task starts soon and is filling slowly: how many could come, and why not


# Kinds sent to a task's coordinator: their ``member_id`` holds the coordinator's account id, and
# their address comes from the gateway, not from the members service.
COORDINATOR_KINDS = frozenset({MessageKind.task_filled, MessageKind.volunteer_withdrew, MessageKind.task_at_risk})
# A coordinator message queued before the task's state (which names its coordinator) arrived is
# addressed to nobody yet; the task's state fills the coordinator in.
COORDINATOR_NOT_KNOWN_YET = UUID(int=0)


class WithdrawalReason(str, enum.Enum):
    """Why an offer a member was told about went away; said plainly in the message."""

    filled = "filled"
    cancelled = "cancelled"
    closed = "closed"


class DeliveryStatus(str, enum.Enum):
    queued = "queued"  # waiting for its (next) attempt
    sent = "sent"  # accepted by the mail server
    failed = "failed"  # gave up after the configured number of attempts
    dropped = "dropped"  # nothing to send to: no address, or the member is gone


class Recipient(SQLModel, table=True):
    """What messages need to know about a member, from members.state: no contact data."""

    __tablename__ = "recipient"

    member_id: UUID = Field(primary_key=True)
    language: str = Field(max_length=16)
    email: bool = Field(default=True, description="False: the member turned email off; nothing is sent")
    detail: str = Field(default="discreet", max_length=10, description="discreet or detailed (MessageDetail)")
    quiet_start: time | None = Field(default=None, description="Daily quiet window, in quiet_time_zone")
    quiet_end: time | None = None
    quiet_time_zone: str | None = Field(default=None, max_length=64)
    updated_at: datetime = _when(default_factory=utc_now)


class TaskSchedule(SQLModel, table=True):
    """When a task happens and its public title, from tasks.state: what invitations, reminders and
    detailed messages need, nothing more (never its address)."""

    __tablename__ = "task_schedule"

    task_id: UUID = Field(primary_key=True)
    title: str | None = Field(default=None, max_length=200)
    time_zone: str | None = Field(default=None, max_length=64, description="IANA name; times are shown in it")
    coordinator_id: UUID | None = Field(default=None, description="The gateway account that runs the task")
    starts_at: datetime | None = _when(nullable=True, default=None)
    ends_at: datetime | None = _when(nullable=True, default=None)
    updated_at: datetime = _when(default_factory=utc_now)


class Acceptance(SQLModel, table=True):
    """A volunteer who accepted a task (from offers.events), until they step back or the task is
    over: whose reminders to plan when the task's time becomes known or changes."""

    __tablename__ = "acceptance"

    offer_id: UUID = Field(primary_key=True)
    member_id: UUID = Field(index=True)
    task_id: UUID = Field(index=True)
    accepted_at: datetime = _when()


class Delivery(SQLModel, table=True):
    """One message to one member about one thing (the outbox of this service).

    (member, subject, kind) is unique: however often the event that asked for it is replayed,
    the member gets the message once.
    """

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("member_id", "subject_id", "kind", name="uq_delivery_once"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    member_id: UUID = Field(index=True, description="The member, or the coordinator's account (COORDINATOR_KINDS)")
    kind: str = Field(max_length=40)
    channel: str = Field(default="email", max_length=20)
    subject_id: UUID = Field(description="What the message is about, e.g. the offer")
    variant: str | None = Field(default=None, max_length=20, description="Which wording, e.g. why an offer went")
    reasons: list | None = Field(
        default=None,
        sa_type=JSON,
        description="A new request's reasons (OfferReason as JSON): a detailed message lists them",
    )
    task_id: UUID | None = Field(default=None, index=True)
    offer_id: UUID | None = Field(default=None, description="A reminder's offer, which its answers are bound to")
    event_at: datetime = _when(description="When the event that asked for the message happened")
    expires_at: datetime | None = _when(nullable=True, default=None)
    status: str = Field(default=DeliveryStatus.queued.value, max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime = _when(default_factory=utc_now, index=True)
    not_before: datetime | None = _when(
        nullable=True, default=None, description="Held (quiet hours, a reminder's time) until then"
    )
    claimed_until: datetime | None = _when(nullable=True, default=None)
    created_at: datetime = _when(default_factory=utc_now)
    finished_at: datetime | None = _when(nullable=True, default=None)
    last_error: str | None = Field(default=None, max_length=200, description="Error class only, never an address")


class DeliveryTally(SQLModel, table=True):
    """How many delivery records of a kind and status were purged: the counts outlive the records."""

    __tablename__ = "delivery_tally"

    kind: str = Field(primary_key=True, max_length=40)
    status: str = Field(primary_key=True, max_length=10)
    count: int = 0


class DeliveryCounts(BaseModel):
    """How many deliveries are in each state: what an admin watches."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
