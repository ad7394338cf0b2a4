"""Accounts: create, authenticate, look up, change role, disable, delete; coordinator invites.

Plain synchronous code over a SQLModel session; the GraphQL layer runs it in a worker thread
(argon2 is deliberately slow and must not block the event loop).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from gateway.auth.emails import EmailVault, normalize_email
from gateway.auth.passwords import hash_password, password_matches
from gateway.auth.tokens import TokenClaims
from gateway.errors import Unauthenticated
from gateway.models import Invite, Role, User, UserPublic
from services.common.clock import as_utc, utc_now
from services.common.db import session_scope
from services.common.problems import Conflict, Invalid, NotFound

SUPPORTED_LOCALES = ("en", "fr")
EMAIL_TAKEN = "This email cannot be used to sign up. If you already have an account, log in instead."


@dataclass(frozen=True)
class Page:
    items: list[UserPublic]
    total: int


def check_locale(locale: str) -> str:
    if locale not in SUPPORTED_LOCALES:
        message = f"must be one of {', '.join(SUPPORTED_LOCALES)}"
        raise Invalid(f"locale: {message}", errors=[{"field": "locale", "message": message}])
    return locale


class Accounts:
    def __init__(self, engine: Engine, vault: EmailVault):
        self.engine = engine
        self.vault = vault

    # -- sign-up and login -------------------------------------------------------------------

    def ensure_email_free(self, email: str) -> str:
        """The normalized address, or Conflict when an account already uses it."""
        normalized = normalize_email(email)
        with Session(self.engine) as session:
            if self._by_email(session, normalized) is not None:
                raise Conflict(EMAIL_TAKEN, errors=[{"field": "email", "message": EMAIL_TAKEN}])
        return normalized

    def create(
        self,
        email: str,
        password: str,
        role: Role,
        *,
        member_id: UUID | None = None,
        organization_id: UUID | None = None,
        locale: str = "en",
    ) -> User:
        normalized = normalize_email(email)
        user = User(
            email_lookup=self.vault.lookup(normalized),
            email_encrypted=self.vault.encrypt(normalized),
            password_hash=hash_password(password),
            role=role,
            member_id=member_id,
            organization_id=organization_id,
            locale=check_locale(locale),
        )
        try:
            with session_scope(self.engine) as session:
                session.add(user)
        except IntegrityError as error:  # a concurrent sign-up with the same address won
            raise Conflict(EMAIL_TAKEN, errors=[{"field": "email", "message": EMAIL_TAKEN}]) from error
        return user

    def authenticate(self, email: str, password: str) -> User:
        try:
            normalized = normalize_email(email)
        except Invalid:
            normalized = ""
        with session_scope(self.engine) as session:
            user = self._by_email(session, normalized) if normalized else None
            # Always verify, even without an account, so timing does not tell which emails exist.
            matches = password_matches(user.password_hash if user else None, password)
            if user is None or not matches or not user.active:
                raise Unauthenticated("The email or the password is not right.")
            user.last_login_at = utc_now()
            return user

    def verify_password(self, user_id: UUID, password: str) -> bool:
        with Session(self.engine) as session:
            user = session.get(User, user_id)
            return user is not None and password_matches(user.password_hash, password)

    def user_for(self, claims: TokenClaims) -> User | None:
        """The account a token speaks for, if it is still active and the token still current."""
        with Session(self.engine, expire_on_commit=False) as session:
            user = session.get(User, claims.user_id)
        if user is None or not user.active or user.token_version != claims.version:
            return None
        return user

    def find_by_email(self, email: str) -> User | None:
        try:
            normalized = normalize_email(email)
        except Invalid:
            return None
        with Session(self.engine, expire_on_commit=False) as session:
            return self._by_email(session, normalized)

    def lookup_hash(self, email: str) -> str:
        try:
            return self.vault.lookup(normalize_email(email))
        except Invalid:
            return "invalid-address"

    def _by_email(self, session: Session, normalized: str) -> User | None:
        return session.exec(select(User).where(User.email_lookup == self.vault.lookup(normalized))).first()

    # -- changes to an account ---------------------------------------------------------------

    def set_locale(self, user_id: UUID, locale: str) -> User:
        return self._change(user_id, lambda user: setattr(user, "locale", check_locale(locale)))

    def set_role(self, user_id: UUID, role: Role, organization_id: UUID | None) -> User:
        if role is Role.coordinator and organization_id is None:
            raise Invalid(
                "A coordinator belongs to an organization: give organizationId.",
                errors=[{"field": "organizationId", "message": "required for coordinators"}],
            )

        def change(user: User) -> None:
            user.role = role
            user.organization_id = organization_id if role is Role.coordinator else None
            user.token_version += 1

        return self._change(user_id, change)

    def set_active(self, user_id: UUID, active: bool) -> User:
        def change(user: User) -> None:
            user.active = active
            user.token_version += 1

        return self._change(user_id, change)

    def delete(self, user_id: UUID) -> User:
        with session_scope(self.engine) as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound("No such account.")
            session.delete(user)
            return user

    def discard(self, user_id: UUID) -> bool:
        """Delete the account if it is still there; False if it was gone already.

        For erasure: the member-erasure consumer (``gateway.live.erasures``) may remove the login
        on the members service's tombstone before the request that started the erasure gets to it.
        """
        with session_scope(self.engine) as session:
            user = session.get(User, user_id)
            if user is None:
                return False
            session.delete(user)
            return True

    def renew_calendar_feed(self, user_id: UUID) -> User:
        """A new private calendar link for the account; the previous one stops working."""

        def change(user: User) -> None:
            user.calendar_feed_version = (user.calendar_feed_version or 0) + 1

        return self._change(user_id, change)

    def remove_calendar_feed(self, user_id: UUID) -> User:
        def change(user: User) -> None:
            user.calendar_feed_version = None

        return self._change(user_id, change)

    def by_member(self, member_id: UUID) -> User | None:
        with Session(self.engine, expire_on_commit=False) as session:
            return session.exec(select(User).where(User.member_id == member_id)).first()

    def get(self, user_id: UUID) -> User:
        with Session(self.engine, expire_on_commit=False) as session:
            user = session.get(User, user_id)
        if user is None:
            raise NotFound("No such account.")
        return user

    def _change(self, user_id: UUID, change) -> User:
        with session_scope(self.engine) as session:
            user = session.get(User, user_id)
            if user is None:
                raise NotFound("No such account.")
            change(user)
            return user

    # -- listing ------------------------------------------------------------------------------

    def list(self, role: Role | None, limit: int, offset: int) -> Page:
        with Session(self.engine) as session:
            query = select(User)
            count = select(func.count()).select_from(User)
            if role is not None:
                query, count = query.where(User.role == role), count.where(User.role == role)
            users = session.exec(query.order_by(col(User.created_at), col(User.id)).offset(offset).limit(limit)).all()
            total = session.exec(count).one()
        return Page([self.public(user) for user in users], total)

    def public(self, user: User) -> UserPublic:
        return UserPublic(
            id=user.id,
            email=self.vault.decrypt(user.email_encrypted),
            role=user.role,
            member_id=user.member_id,
            organization_id=user.organization_id,
            locale=user.locale,
            active=user.active,
            created_at=user.created_at,
        )

    # -- coordinator invitations ------------------------------------------------------------

    def create_invite(self, organization_id: UUID, created_by: UUID, ttl: timedelta) -> tuple[Invite, str]:
        code = secrets.token_urlsafe(18)
        invite = Invite(
            code_hash=_code_hash(code),
            organization_id=organization_id,
            created_by=created_by,
            expires_at=utc_now() + ttl,
        )
        with session_scope(self.engine) as session:
            session.add(invite)
        return invite, code

    def valid_invite(self, code: str) -> Invite:
        with Session(self.engine) as session:
            return self._valid_invite(session, code)

    def redeem_invite(self, code: str, email: str, password: str, locale: str, user_id: UUID) -> User:
        """Create the coordinator account and use up the invite, in one transaction."""
        normalized = normalize_email(email)
        password_hash = hash_password(password)
        try:
            with session_scope(self.engine) as session:
                invite = self._valid_invite(session, code)
                user = User(
                    id=user_id,
                    email_lookup=self.vault.lookup(normalized),
                    email_encrypted=self.vault.encrypt(normalized),
                    password_hash=password_hash,
                    role=Role.coordinator,
                    organization_id=invite.organization_id,
                    locale=check_locale(locale),
                )
                session.add(user)
                invite.used_at, invite.used_by = utc_now(), user.id
                return user
        except IntegrityError as error:
            raise Conflict(EMAIL_TAKEN, errors=[{"field": "email", "message": EMAIL_TAKEN}]) from error

    @staticmethod
    def _valid_invite(session: Session, code: str) -> Invite:
        invite = session.exec(select(Invite).where(Invite.code_hash == _code_hash(code.strip()))).first()
        if invite is None or invite.used_at is not None or as_utc(invite.expires_at) < utc_now():
            message = "This invitation code is not valid (unknown, already used or expired)."
            raise Invalid(message, errors=[{"field": "inviteCode", "message": message}])
        return invite


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
