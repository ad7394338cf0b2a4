"""Erasure on request and retention: a profile goes, and every service hears of it.

Erasing deletes the member's row, so the sealed personal data goes with it, and the skills,
availability and area with it too. What stays is an :class:`ErasedMember` record (id, date, reason:
so reads answer 410) and the audit log, which holds ids and field names only. A tombstone on the
members topic, in the same transaction, tells every consumer to drop the member; compaction then
removes the member's earlier states from the topic.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from services.common.clock import utc_now
from services.common.db import session_scope
from services.common.roles import Actor
from services.common.runtime import Runtime
from services.common.topics import Topics
from services.members import audit
from services.members.config import Settings
from services.members.events import publish_erasure
from services.members.handlers import Call, load_member
from services.members.models import ErasedMember, Member
from services.members.permissions import SIGN_UP, STAFF, require_self_or

log = logging.getLogger(__name__)
SYSTEM = Actor(None, "system")
ERASED_FIELDS = [
    "area",
    "contacts",
    "display_name",
    "interests",
    "languages",
    "pronouns",
    "skills",
    "unavailable",
    "weekly_availability",
]


def erase_on_request(call: Call, member_id: UUID) -> None:
    """The member, or an admin acting on their request, erases the profile (or the gateway, a
    profile whose sign-up failed). Repeating is harmless."""
    require_self_or(call.actor, member_id, *STAFF, SIGN_UP, doing="erase this profile")
    if call.session.get(ErasedMember, member_id) is not None:
        return
    # Locked (on PostgreSQL) so a concurrent erasure of the same member waits, then finds it gone.
    member = call.session.get(Member, member_id, with_for_update=True) or load_member(call.session, member_id)
    reason = "member_request" if call.actor.id == member_id else f"{call.actor.role}_request"
    erase(call.session, call.topics, member, call.actor, reason, "profile.erased")
    try:
        call.session.flush()
    except (IntegrityError, StaleDataError):  # erased by a concurrent request meanwhile: same outcome
        call.session.rollback()


def erase(session: Session, topics: Topics, member: Member, actor: Actor, reason: str, action: str) -> None:
    session.delete(member)
    session.add(ErasedMember(member_id=member.id, reason=reason))
    audit.record(session, member.id, actor, action, ERASED_FIELDS)
    publish_erasure(session, topics, member.id)
    log.info("member %s erased (%s)", member.id, reason)


def purge_inactive(
    engine: Engine,
    topics: Topics,
    inactive_since: datetime,
    batch_size: int = 100,
    after_commit: Callable[[Session], None] | None = None,
) -> int:
    """Erase profiles nobody used since ``inactive_since``; returns how many went. ``after_commit``
    is the runtime's (``Runtime.committed``): the tombstones leave as each batch commits."""
    purged = 0
    while True:
        with session_scope(engine, after_commit) as session:
            stale = session.exec(
                select(Member)
                .where(Member.last_active_at < inactive_since)
                .order_by(col(Member.last_active_at))
                .limit(batch_size)
            ).all()
            for member in stale:
                erase(session, topics, member, SYSTEM, "retention", "profile.purged")
        purged += len(stale)
        if len(stale) < batch_size:
            return purged


def retention_sweep(runtime: Runtime, settings: Settings):
    """The background job purging inactive profiles every ``retention_sweep_seconds``."""

    def sweep_forever(stop: threading.Event) -> None:
        while not stop.wait(settings.retention_sweep_seconds):
            try:
                purged = purge_inactive(
                    runtime.engine,
                    settings.topics,
                    utc_now() - settings.inactive_retention,
                    after_commit=runtime.committed,
                )
            except Exception:  # database briefly away: try again next round
                log.exception("retention sweep failed")
                continue
            if purged:
                log.info("retention sweep purged %s inactive profiles", purged)

    return sweep_forever
