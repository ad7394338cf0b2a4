"""Member erasures reach the gateway's accounts: an erased member has no login left.

Erasure can start elsewhere than here (the members service's retention job, an admin using its
API), and each ends with a tombstone on the compacted members topic. The gateway consumes that
topic in its own consumer group, through the shared idempotent consumer, so a tombstone
published while the gateway was down is still applied when it comes back.
"""

from __future__ import annotations

import logging
from uuid import UUID

from sqlmodel import Session, select

from gateway.models import User
from services.common.consumer import Incoming, PoisonEvent
from services.common.runtime import Runtime, start_consumer

log = logging.getLogger(__name__)
CONSUMER = "member-erasures"


def forget_erased_member(session: Session, incoming: Incoming) -> None:
    if not incoming.is_tombstone:
        return  # profile changes concern matching, not logins
    try:
        member_id = UUID(str(incoming.key))
    except ValueError as error:
        raise PoisonEvent(f"tombstone key {incoming.key!r} is not a member id") from error
    for user in session.exec(select(User).where(User.member_id == member_id)).all():
        log.info("member %s was erased; removing account %s", member_id, user.id)
        session.delete(user)


def start_erasure_consumer(runtime: Runtime) -> None:
    start_consumer(runtime, CONSUMER, [runtime.settings.topics.members_state], forget_erased_member)
