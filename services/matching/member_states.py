"""Member states as they come off the members topic, read fast and safely.

Every instance reads every member at start-up, so reading one is on the start-up path: see
``StateReader``. A record that cannot be read is logged by position and skipped; the topic keeps
it, and the member's next state replaces it.
"""

from __future__ import annotations

import json
import logging
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError

from services.common.contracts import DateRange, LanguageClaim, MemberState, SkillClaim, WeeklyWindow
from services.matching.directory import MemberUpdate

log = logging.getLogger(__name__)


class MemberEnvelope(BaseModel):
    """Just the part of the envelope a member rebuild needs, validated in one pass."""

    model_config = ConfigDict(extra="ignore")

    data: MemberState


class StateReader:
    """Reads member states, sharing each distinct skill, language, window and date range.

    Most of a member's validation cost is in those small nested objects, and a coalition has few
    distinct ones ("Saturday 09:00-17:00", "Spanish, fluent"). They are immutable contract
    models, so each distinct one is validated once and then shared by every member that has it;
    ``MemberState`` accepts the shared instances as they are. The start-up replay reads every
    member, so this halves its parsing time. Anything unexpected takes the plain, fully
    validating path, which also gives the error for a malformed record.
    """

    NESTED = {"skills": SkillClaim, "languages": LanguageClaim, "weekly_availability": WeeklyWindow,
              "unavailable": DateRange}
    MAX_SHARED = 100_000

    def __init__(self) -> None:
        self._shared: dict[tuple, object] = {}

    def state(self, raw: bytes) -> MemberState:
        try:
            data = json.loads(raw)["data"]
            for field, model in self.NESTED.items():
                if items := data.get(field):
                    data[field] = [self._one(model, item) for item in items]
            return MemberState.model_validate(data)
        except (TypeError, KeyError, AttributeError, ValueError):  # ValidationError is a ValueError
            return MemberEnvelope.model_validate_json(raw).data

    def _one(self, model, item: dict):
        key = (model, *sorted(item.items()))
        shared = self._shared.get(key)
        if shared is None:
            if len(self._shared) >= self.MAX_SHARED:
                self._shared.clear()
            shared = self._shared[key] = model.model_validate(item)
        return shared


def read_update(record, reader: StateReader) -> MemberUpdate | None:
    """The member update a Kafka record carries; None (and a warning) for one that cannot be read.

    A state names its member itself; only a tombstone (erasure) needs the key.
    """
    try:
        if record.value is None:
            return UUID(record.key.decode()), None
        state = reader.state(record.value)
    except (AttributeError, ValueError, ValidationError) as error:
        log.warning("skipping unreadable member record at %s[%s]@%s: %s",
                    record.topic, record.partition, record.offset, str(error)[:200])
        return None
    return state.member_id, state
