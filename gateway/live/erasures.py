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
from services.common.catalogue import types_on
from services.common.consumer import PoisonEvent
from services.common.dispatch import Subscription, Tombstone
from services.common.topics import MEMBERS_STATE, Topics

log = logging.getLogger(__name__)
CONSUMER = "member-erasures"


def member_erasures(topics: Topics) -> Subscription:
    """Tombstones only: profile changes concern matching, not logins."""
    return Subscription(topics, {}, ignores=types_on(MEMBERS_STATE), tombstones={MEMBERS_STATE: forget_erased_member})


def forget_erased_member(session: Session, tombstone: Tombstone) -> None:
    try:
        member_id = UUID(str(tombstone.key))
    except ValueError as error:
        raise PoisonEvent(f"tombstone key {tombstone.key!r} is not a member id") from error
    for user in session.exec(select(User).where(User.member_id == member_id)).all():
        log.info("member %s was erased; removing account %s", member_id, user.id)
        session.delete(user)
