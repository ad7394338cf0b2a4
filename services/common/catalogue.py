"""The event catalogue: per topic, every event type, its payload class and the versions read.

This is the one owner of event names. Producers wrap payloads through it (``envelope.wrap``
refuses a type it does not list, or the wrong payload class) and consumers dispatch through it
(``services.common.dispatch``): a type a topic does not list, or a version no consumer reads, is
dead-lettered with the reason and never applied.

A version is bumped when a payload loses a field or a field changes meaning; adding an optional
field is not a new version (consumers ignore fields they do not know). ``readable`` lists the
versions the payload class reads, which is what every consumer of the type supports unless its
subscription says less.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.common.contracts import (
    AreaState,
    AttendanceMarked,
    Contract,
    FillChanged,
    MemberState,
    OfferChanged,
    OfferStatus,
    TaskState,
)
from services.common.topics import AREAS_STATE, ATTENDANCE_EVENTS, MEMBERS_STATE, OFFERS_EVENTS, TASKS_STATE


@dataclass(frozen=True)
class EventType:
    name: str
    topic: str
    payload: type[Contract]
    version: int = 1  # what producers write today
    readable: frozenset[int] = frozenset({1})

    def __post_init__(self) -> None:
        if self.version not in self.readable:
            raise ValueError(f"{self.name}: producers would write version {self.version}, which nobody reads")


@dataclass(frozen=True)
class TopicContract:
    topic: str
    events: Mapping[str, EventType]
    # What a tombstone (null value) means on this topic; None: there are never any.
    tombstone: str | None = None
    description: str = field(default="", compare=False)


def _members(name: str) -> EventType:
    return EventType(name, MEMBERS_STATE, MemberState)


def _tasks(name: str) -> EventType:
    return EventType(name, TASKS_STATE, TaskState)


def _offers(name: str) -> EventType:
    # Version 2: ``reasons`` are data (OfferReason), not English words; version 1's still read.
    return EventType(name, OFFERS_EVENTS, OfferChanged, version=2, readable=frozenset({1, 2}))


def _fills(name: str) -> EventType:
    return EventType(name, OFFERS_EVENTS, FillChanged)


MEMBER_REGISTERED = _members("member.registered")
MEMBER_UPDATED = _members("member.updated")
MEMBER_PAUSED = _members("member.paused")
MEMBER_RESUMED = _members("member.resumed")
MEMBER_REPUBLISHED = _members("member.republished")

TASK_POSTED = _tasks("task.posted")
TASK_UPDATED = _tasks("task.updated")
TASK_OPENED = _tasks("task.opened")
TASK_CANCELLED = _tasks("task.cancelled")
TASK_CLOSED = _tasks("task.closed")
TASK_REPUBLISHED = _tasks("task.republished")

OFFER_CREATED = _offers("offer.created")
OFFER_ACCEPTED = _offers("offer.accepted")
OFFER_DECLINED = _offers("offer.declined")
OFFER_EXPIRED = _offers("offer.expired")
OFFER_WITHDRAWN = _offers("offer.withdrawn")
OFFER_CANCELLED_BY_VOLUNTEER = _offers("offer.cancelled_by_volunteer")

# Matching's count of a task's accepted volunteers reached its slots, or dropped below them again.
FILL_COMPLETED = _fills("fill.completed")
FILL_REOPENED = _fills("fill.reopened")

# An area of the taxonomy, as admins set it (name, parent city or region, coarse centre).
AREA_STATED = EventType("area.stated", AREAS_STATE, AreaState)

# Who came to a task that ended, as its coordinator or the volunteer marked it (tasks publishes).
ATTENDANCE_MARKED = EventType("attendance.marked", ATTENDANCE_EVENTS, AttendanceMarked)

# The event that tells an offer reached each status.
OFFER_EVENT_FOR = {
    OfferStatus.pending: OFFER_CREATED,
    OfferStatus.accepted: OFFER_ACCEPTED,
    OfferStatus.declined: OFFER_DECLINED,
    OfferStatus.expired: OFFER_EXPIRED,
    OfferStatus.withdrawn: OFFER_WITHDRAWN,
    OfferStatus.cancelled_by_volunteer: OFFER_CANCELLED_BY_VOLUNTEER,
}


def _contract(topic: str, tombstone: str | None, description: str, *events: EventType) -> TopicContract:
    return TopicContract(topic, {event.name: event for event in events}, tombstone, description)


CATALOGUE: dict[str, TopicContract] = {
    contract.topic: contract
    for contract in (
        _contract(
            MEMBERS_STATE,
            "member.erased",
            "Compacted, keyed by member id: each member's matching state.",
            MEMBER_REGISTERED,
            MEMBER_UPDATED,
            MEMBER_PAUSED,
            MEMBER_RESUMED,
            MEMBER_REPUBLISHED,
        ),
        _contract(
            TASKS_STATE,
            "task.deleted",
            "Compacted, keyed by task id: each task's public state.",
            TASK_POSTED,
            TASK_UPDATED,
            TASK_OPENED,
            TASK_CANCELLED,
            TASK_CLOSED,
            TASK_REPUBLISHED,
        ),
        _contract(
            OFFERS_EVENTS,
            None,
            "Keyed by task id: offers and fills, one task's history in order.",
            OFFER_CREATED,
            OFFER_ACCEPTED,
            OFFER_DECLINED,
            OFFER_EXPIRED,
            OFFER_WITHDRAWN,
            OFFER_CANCELLED_BY_VOLUNTEER,
            FILL_COMPLETED,
            FILL_REOPENED,
        ),
        _contract(
            AREAS_STATE, None, "Compacted, keyed by area slug: the taxonomy's areas and their geography.", AREA_STATED
        ),
        _contract(
            ATTENDANCE_EVENTS,
            None,
            "Keyed by member id: attendance marks of tasks that ended; ids, no names.",
            ATTENDANCE_MARKED,
        ),
    )
}

EVENT_TYPES: dict[str, EventType] = {
    name: event for contract in CATALOGUE.values() for name, event in contract.events.items()
}
if len(EVENT_TYPES) != sum(len(contract.events) for contract in CATALOGUE.values()):
    raise ValueError("an event type name is used on two topics; each name must mean one thing")


class UnknownEventType(KeyError):
    pass


def event_type(name: str) -> EventType:
    """The catalogue's entry for ``name``; event names are unique across topics."""
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise UnknownEventType(f"{name!r} is not in the event catalogue") from None


def types_on(topic: str) -> list[EventType]:
    """Every event type of a topic (base name), e.g. for a consumer that ignores all of them."""
    return list(CATALOGUE[topic].events.values())


def catalogue_rows() -> Iterable[tuple[str, str, str, int, list[int]]]:
    """(topic, type, payload class, version written, versions read), for docs and checks."""
    for contract in CATALOGUE.values():
        for event in contract.events.values():
            yield contract.topic, event.name, event.payload.__name__, event.version, sorted(event.readable)
