"""The envelope every Kafka message is wrapped in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.common.catalogue import EventType
from services.common.catalogue import event_type as lookup


class MalformedEvent(ValueError):
    """A message that cannot be read as an envelope; it belongs on the dead-letter topic."""


# The largest event any producer of the product writes is a full task or member state: a few KB.
# Far larger is a mistake or an attack; it is refused before it is parsed.
MAX_EVENT_BYTES = 256 * 1024


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    type: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$", description="entity.past_tense_verb")
    version: int = Field(default=1, ge=1)
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    source: str
    data: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> "Envelope":
        if raw is None:
            raise MalformedEvent("tombstone has no envelope")
        if len(raw) > MAX_EVENT_BYTES:
            raise MalformedEvent(f"{len(raw)} bytes, over the {MAX_EVENT_BYTES} an event may have")
        try:
            return cls.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as error:  # JSONDecodeError is a ValueError
            raise MalformedEvent(f"not a valid event envelope: {error}") from error


def wrap(event_type: str | EventType, payload: BaseModel, source: str) -> Envelope:
    """Envelope for a catalogued event: refuses a type the catalogue does not list or a payload of
    another class than it names, and writes the version the catalogue says producers write."""
    spec = event_type if isinstance(event_type, EventType) else lookup(event_type)
    if not isinstance(payload, spec.payload):
        raise TypeError(f"{spec.name} carries a {spec.payload.__name__}, not a {type(payload).__name__}")
    return Envelope(type=spec.name, version=spec.version, source=source, data=payload.model_dump(mode="json"))
