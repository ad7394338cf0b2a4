"""The audit log: every read of contact data and every change, by whom, when and why.

Entries hold ids, field names and a purpose code, never values: the log is not a second copy of
the personal data it protects, and it survives the member's erasure.
"""

from __future__ import annotations

from uuid import UUID

from sqlmodel import Session, col, func, select

from services.common.clock import as_utc
from services.common.http_api import Page, PageRequest
from services.common.roles import Actor
from services.members.models import AuditEntry, AuditEntryPublic


def record(
    session: Session,
    member_id: UUID,
    actor: Actor,
    action: str,
    fields: list[str],
    purpose: str | None = None,
    task_id: UUID | None = None,
) -> None:
    session.add(
        AuditEntry(
            member_id=member_id,
            actor_role=actor.role,
            actor_id=actor.id,
            action=action,
            fields=sorted(fields),
            purpose=purpose,
            task_id=task_id,
        )
    )


def has_entries(session: Session, member_id: UUID) -> bool:
    return session.exec(select(AuditEntry.id).where(AuditEntry.member_id == member_id).limit(1)).first() is not None


def entries_of(session: Session, member_id: UUID, page: PageRequest) -> Page[AuditEntryPublic]:
    where = AuditEntry.member_id == member_id
    total = session.exec(select(func.count()).select_from(AuditEntry).where(where)).one()
    rows = session.exec(
        select(AuditEntry).where(where).order_by(col(AuditEntry.id).desc()).offset(page.offset).limit(page.limit)
    ).all()
    items = [AuditEntryPublic.model_validate(row, from_attributes=True) for row in rows]
    for item in items:
        item.occurred_at = as_utc(item.occurred_at)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
