"""The envelope every Kafka message is wrapped in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class MalformedEvent(ValueError):
    """A message that cannot be read as an envelope; it belongs on the dead-letter topic."""


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
        try:
            return cls.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as error:  # JSONDecodeError is a ValueError
            raise MalformedEvent(f"not a valid event envelope: {error}") from error


def wrap(event_type: str, payload: BaseModel, source: str, version: int = 1) -> Envelope:
    """Envelope for a contract payload (see ``services.common.contracts``)."""
    return Envelope(type=event_type, version=version, source=source, data=payload.model_dump(mode="json"))
