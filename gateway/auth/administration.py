"""Account changes that also touch the services: coordinator sign-up, roles, erasure on request."""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID, uuid4

from gateway.auth.accounts import check_locale
from gateway.auth.passwords import check_password_rules
from gateway.clients.http import GATEWAY, Actor
from gateway.models import Role, User, role_of
from gateway.state import Gateway
from services.common.problems import Conflict, DomainError, Invalid, NotFound

log = logging.getLogger(__name__)


async def register_coordinator(gateway: Gateway, code: str, email: str, password: str, locale: str) -> User:
    """A coordinator account from an invite; the tasks service learns they act for the organization."""
    invite = await asyncio.to_thread(gateway.accounts.valid_invite, code)
    await asyncio.to_thread(gateway.accounts.ensure_email_free, email)
    check_password_rules(password)
    check_locale(locale)
    user_id = uuid4()
    await gateway.clients.tasks.add_coordinator(GATEWAY, invite.organization_id, user_id)
    try:
        return await asyncio.to_thread(gateway.accounts.redeem_invite, code, email, password, locale, user_id)
    except BaseException:
        await _leave_organization(gateway, GATEWAY, invite.organization_id, user_id)
        raise


async def change_role(gateway: Gateway, admin: User, user_id: UUID, role: Role, organization_id: UUID | None) -> User:
    if user_id == admin.id and role is not Role.admin:
        raise Conflict("You cannot take away your own admin role; ask another admin.")
    user = await asyncio.to_thread(gateway.accounts.get, user_id)
    if role is Role.volunteer and user.member_id is None:
        message = "This account has no volunteer profile; the person can sign up as a volunteer instead."
        raise Invalid(message, errors=[{"field": "role", "message": message}])
    actor = Actor(admin.id, Role.admin.value)
    if role is Role.coordinator:
        if organization_id is None:
            raise Invalid(
                "A coordinator belongs to an organization: give organizationId.",
                errors=[{"field": "organizationId", "message": "required for coordinators"}],
            )
        await gateway.clients.tasks.add_coordinator(actor, organization_id, user.id)
    was_coordinator_of = user.organization_id if role_of(user) is Role.coordinator else None
    changed = await asyncio.to_thread(gateway.accounts.set_role, user.id, role, organization_id)
    if was_coordinator_of is not None and was_coordinator_of != changed.organization_id:
        await _leave_organization(gateway, actor, was_coordinator_of, user.id)
    return changed


async def erase_member(gateway: Gateway, admin: User, member_id: UUID) -> None:
    """Erasure on request: the profile, its contacts and the login, whoever asks on the person's behalf."""
    try:
        await gateway.clients.members.erase(Actor(admin.id, Role.admin.value), member_id)
    except NotFound:
        pass  # erased already; still make sure no login is left behind
    account = await asyncio.to_thread(gateway.accounts.by_member, member_id)
    if account is not None:  # unless the erasure consumer, hearing the tombstone, removes it first
        await asyncio.to_thread(gateway.accounts.discard, account.id)


async def _leave_organization(gateway: Gateway, actor: Actor, organization_id: UUID, user_id: UUID) -> None:
    try:
        await gateway.clients.tasks.remove_coordinator(actor, organization_id, user_id)
    except DomainError:
        log.error("could not remove coordinator %s from organization %s; remove it by hand", user_id, organization_id)


async def erase_account(gateway: Gateway, admin: User, user_id: UUID) -> None:
    """Remove a login (and the volunteer profile behind it, if any)."""
    if user_id == admin.id:
        raise Conflict("You cannot erase your own admin account; ask another admin.")
    user = await asyncio.to_thread(gateway.accounts.get, user_id)
    if user.member_id is not None:
        await erase_member(gateway, admin, user.member_id)
        return
    if role_of(user) is Role.coordinator and user.organization_id is not None:
        await _leave_organization(gateway, Actor(admin.id, Role.admin.value), user.organization_id, user.id)
    await asyncio.to_thread(gateway.accounts.delete, user.id)
