"""Member states as they come off the members topic.

A record that cannot be read is logged by its position and skipped: the topic keeps it, and the
member's next state replaces it. Reading is on the start-up path (every instance reads every
member), which is why the replay runs with cyclic garbage collection off: see
``member_feed.bulk_load``. With it off, pydantic's single-pass validation of the whole envelope is
the fastest way there is to get a checked ``MemberState`` from the bytes.
"""

from __future__ import annotations

import logging
from uuid import UUID

from pydantic import BaseModel, ConfigDict, ValidationError

from services.common.contracts import MemberState
from services.matching.directory import MemberUpdate

log = logging.getLogger(__name__)


class MemberEnvelope(BaseModel):
    """Just the part of the envelope a member rebuild needs, validated in one pass."""

    model_config = ConfigDict(extra="ignore")

    data: MemberState


def read_update(record) -> MemberUpdate | None:
    """The member update a Kafka record carries; None (and a warning) for one that cannot be read.

    A state names its member itself; only a tombstone (erasure) needs the key.
    """
    try:
        if record.value is None:
            return UUID(record.key.decode()), None
        state = MemberEnvelope.model_validate_json(record.value).data
    except (AttributeError, ValueError, ValidationError) as error:
        log.warning("skipping unreadable member record at %s[%s]@%s: %s",
                    record.topic, record.partition, record.offset, str(error)[:200])
        return None
    return state.member_id, state
