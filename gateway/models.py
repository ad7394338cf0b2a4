"""Accounts held by the gateway: login identities, roles and coordinator invitations.

Profiles live in the members service; the gateway only knows how a person logs in and what they
may do. The login email is never stored in plain text: ``email_lookup`` is a keyed hash of the
normalized address (to find the account at login) and ``email_encrypted`` a reversible copy (so
an admin can see who an account belongs to).
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import DateTime, String
from sqlmodel import Field, SQLModel

from services.common.clock import utc_now


class Role(str, enum.Enum):
    volunteer = "volunteer"
    coordinator = "coordinator"
    admin = "admin"


class UserBase(SQLModel):
    role: Role = Field(default=Role.volunteer, sa_type=String(20))
    member_id: UUID | None = Field(default=None, index=True, description="The volunteer's member profile")
    organization_id: UUID | None = Field(default=None, description="The coordinator's organization")
    locale: str = Field(default="en", max_length=10)


class User(UserBase, table=True):
    __tablename__ = "gateway_user"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    email_lookup: str = Field(max_length=64, unique=True, index=True)
    email_encrypted: str = Field(max_length=500)
    password_hash: str = Field(max_length=200)
    active: bool = True
    # Raised whenever a role changes or the account is disabled: older tokens stop working.
    token_version: int = 1
    created_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # The private calendar feed's link is made from this number; raising it revokes the old link,
    # None means the member has no feed.
    calendar_feed_version: int | None = None


class UserPublic(UserBase):
    id: UUID
    email: str
    active: bool
    created_at: datetime


class Invite(SQLModel, table=True):
    """A one-time code an admin hands to a coordinator of an organization."""

    __tablename__ = "coordinator_invite"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    organization_id: UUID
    created_by: UUID
    created_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    used_by: UUID | None = None


def role_of(user: UserBase) -> Role:
    """The role as the enum, whether the row was just built (enum) or read back (text)."""
    return Role(user.role)


class AddressRead(SQLModel, table=True):
    """One read of an account's delivery address by another service (who, whose, why, when).

    Only the notifications service may read one, to mail a coordinator about their tasks; every
    read leaves a row here. The address itself is never copied into this table.
    """

    __tablename__ = "account_address_read"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    account_id: UUID = Field(index=True)
    reader: str = Field(max_length=60, description="The caller's issuer and role, e.g. notifications:notifier")
    purpose: str = Field(max_length=40)
    read_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
