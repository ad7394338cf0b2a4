"""Permission classes: who may call which field, checked before any resolver runs.

``SignedIn`` comes first so an anonymous caller hears "log in" (UNAUTHENTICATED) rather than
"not your role" (FORBIDDEN). Finer checks (is this offer yours, is this task yours) live in the
resolvers and answer with the ``NotAllowed`` union member.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from gateway.models import Role
from gateway.schema.context import Info


class SignedIn(BasePermission):
    message = "Log in first."
    error_extensions = {"code": "UNAUTHENTICATED"}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return await info.context.user() is not None


class _HasRole(BasePermission):
    roles: frozenset[Role] = frozenset()
    error_extensions = {"code": "FORBIDDEN"}

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user = await info.context.user()
        return user is not None and Role(user.role) in self.roles


class IsVolunteer(_HasRole):
    roles = frozenset({Role.volunteer})
    message = "Only volunteers can do this."


class IsCoordinator(_HasRole):
    roles = frozenset({Role.coordinator})
    message = "Only coordinators can do this."


class IsAdmin(_HasRole):
    roles = frozenset({Role.admin})
    message = "Only admins can do this."


# Typed as strawberry's permission_classes are (a list is invariant: list[type[SignedIn]] is not one).
VOLUNTEER: list[type[BasePermission]] = [SignedIn, IsVolunteer]
COORDINATOR: list[type[BasePermission]] = [SignedIn, IsCoordinator]
ADMIN: list[type[BasePermission]] = [SignedIn, IsAdmin]
ANY_SIGNED_IN: list[type[BasePermission]] = [SignedIn]
