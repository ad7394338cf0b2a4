"""Member states as they come off the members topic.

A record that cannot be applied (unreadable, a type the catalogue does not list on the topic, a
version matching does not read) is reported as :class:`Unreadable` with the reason: the reader
dead-letters it and moves on, and the member's next state replaces it. Reading is on the start-up
path (every instance reads every member), which is why the replay runs with cyclic garbage
collection off: see ``members_reader.bulk_load``. With it off, pydantic's single-pass validation of
the whole envelope is the fastest way there is to get a checked ``MemberState`` from the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError

from services.common.catalogue import CATALOGUE
from services.common.consumer import PoisonEvent, Record
from services.common.contracts import AreaState, MemberState
from services.common.dispatch import catalogued, require_version
from services.common.topics import AREAS_STATE, MEMBERS_STATE
from services.matching.directory import MemberUpdate

MEMBERS = CATALOGUE[MEMBERS_STATE]
AREAS = CATALOGUE[AREAS_STATE]


class MemberEnvelope(BaseModel):
    """Just the part of the envelope a member rebuild needs, validated in one pass."""

    model_config = ConfigDict(extra="ignore")

    type: str
    version: int = 1
    data: MemberState


@dataclass(frozen=True)
class Unreadable:
    """A record the reader cannot apply, and why (the dead letter's reason)."""

    record: Record
    reason: str


def read_update(record: Record) -> MemberUpdate | Unreadable:
    """The member update a Kafka record carries, or why it cannot be applied.

    A state names its member itself; only a tombstone (erasure) needs the key.
    """
    try:
        if record.value is None:
            if record.key is None:
                return Unreadable(record, "a tombstone without a key: no member to erase")
            return UUID(record.key.decode()), None
        envelope = MemberEnvelope.model_validate_json(record.value)
    except (AttributeError, ValueError, ValidationError) as error:
        return Unreadable(record, f"{type(error).__name__}: {str(error)[:500]}")
    try:
        require_version(catalogued(MEMBERS, envelope.type), envelope.version)
    except PoisonEvent as error:
        return Unreadable(record, f"{type(error).__name__}: {error}")
    return envelope.data.member_id, envelope.data


class AreaEnvelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    version: int = 1
    data: AreaState


def read_area(record: Record) -> AreaState | Unreadable:
    """The area a record of the areas topic states, or why it cannot be applied."""
    if record.value is None:
        return Unreadable(record, "a tombstone: an area is retired by its state, never erased")
    try:
        envelope = AreaEnvelope.model_validate_json(record.value)
        require_version(catalogued(AREAS, envelope.type), envelope.version)
    except (TypeError, ValueError, ValidationError, PoisonEvent) as error:
        return Unreadable(record, f"{type(error).__name__}: {str(error)[:500]}")
    return envelope.data
