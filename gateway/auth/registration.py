"""Sign-up and sign-in flows that span the gateway's accounts and the members service."""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from gateway.auth.accounts import check_locale
from gateway.auth.passwords import check_password_rules
from gateway.auth.tokens import IssuedToken
from gateway.clients.contracts.members import MemberReply
from gateway.clients.http import GATEWAY, Actor
from gateway.models import Role, User
from gateway.state import Gateway
from services.common.problems import DomainError

log = logging.getLogger(__name__)


async def register_volunteer(gateway: Gateway, email: str, password: str, locale: str, profile: dict) -> User:
    """Create the member profile and the login account together, or neither."""
    await asyncio.to_thread(gateway.accounts.ensure_email_free, email)
    check_password_rules(password)
    check_locale(locale)
    member_id = MemberReply.model_validate(await gateway.clients.members.create(GATEWAY, profile)).id
    try:
        return await asyncio.to_thread(
            gateway.accounts.create, email, password, Role.volunteer, member_id=member_id, locale=locale
        )
    except BaseException:
        await _forget_profile(gateway, member_id)
        raise


async def _forget_profile(gateway: Gateway, member_id: UUID) -> None:
    """Undo a profile whose account could not be created (e.g. the email was taken meanwhile)."""
    try:
        await gateway.clients.members.erase(GATEWAY, member_id)
    except DomainError:
        log.error("could not erase member %s after a failed sign-up; erase it by hand", member_id)


async def sign_in(gateway: Gateway, email: str, password: str, client_address: str) -> User:
    gateway.limiter.check(gateway.login_rule, client_address, "login attempts from your address")
    gateway.limiter.check(
        gateway.login_account_rule, gateway.accounts.lookup_hash(email), "login attempts for this account"
    )
    user = await asyncio.to_thread(gateway.accounts.authenticate, email, password)
    if user.member_id is not None:
        await _report_activity(gateway, user.member_id)
    return user


async def _report_activity(gateway: Gateway, member_id: UUID) -> None:
    """Signing in resets the member's retention clock; a failure here must not block the login."""
    try:
        await gateway.clients.members.record_activity(Actor(member_id, "volunteer"), member_id)
    except DomainError:
        log.warning("could not record activity of member %s", member_id)


def issue_token(gateway: Gateway, user: User) -> IssuedToken:
    return gateway.tokens.issue(user.id, Role(user.role).value, user.token_version)
