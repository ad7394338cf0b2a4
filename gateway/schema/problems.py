"""Expected failures as union members, and the one mapping from domain errors to them.

A client asks for ``... on Problem { message }`` to show any of them, or for a specific type
(``... on TaskFilled``) to react to it. Unexpected failures stay GraphQL errors.
"""

from __future__ import annotations

import functools
import typing

import strawberry

from gateway.errors import RateLimited as RateLimitedError
from gateway.errors import Unauthenticated
from services.common.problems import Conflict, DomainError, Forbidden, Invalid, ServiceUnavailable, outage
from services.common.problems import NotFound as NotFoundError


@strawberry.interface(description="Something the request could not do, with a message a person can act on.")
class Problem:
    message: str


@strawberry.type(description="The signed-in person may not do this (not theirs, or not their role).")
class NotAllowed(Problem):
    pass


@strawberry.type(description="No such thing, or not visible to the signed-in person.")
class NotFound(Problem):
    pass


@strawberry.type
class FieldProblem:
    field: str
    message: str


@strawberry.type(description="The input is not valid; `fields` says which parts and why.")
class ValidationProblem(Problem):
    fields: list[FieldProblem]


@strawberry.type(description="The task has just been filled by other volunteers.")
class TaskFilled(Problem):
    pass


@strawberry.type(description="The offer was already answered, withdrawn or expired.")
class OfferNotPending(Problem):
    pass


@strawberry.type(description="The request conflicts with the current state of things.")
class StateConflict(Problem):
    pass


@strawberry.type(description="The email or the password is not right, or the account is disabled.")
class LoginFailed(Problem):
    pass


@strawberry.type(description="Too many attempts; wait before trying again.")
class RateLimited(Problem):
    retry_after_seconds: int


@strawberry.type(
    description="Something this needs (a service, a database) is briefly unavailable; try again "
    "after `retryAfterSeconds`."
)
class Unavailable(Problem):
    retry_after_seconds: int


ALL_PROBLEMS = (
    NotAllowed,
    NotFound,
    ValidationProblem,
    TaskFilled,
    OfferNotPending,
    StateConflict,
    LoginFailed,
    RateLimited,
    Unavailable,
)


def camel_case(path: str) -> str:
    """A service's field path ("quiet_hours.time_zone") as GraphQL names it ("quietHours.timeZone")."""
    head, *rest = path.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def problem_for(error: DomainError) -> Problem:
    """The union member that tells the client what went wrong."""
    if isinstance(error, ServiceUnavailable):
        return Unavailable(message=error.detail, retry_after_seconds=error.retry_after_seconds)
    if isinstance(error, RateLimitedError):
        return RateLimited(message=error.detail, retry_after_seconds=error.retry_after_seconds)
    if isinstance(error, Unauthenticated):
        return LoginFailed(message=error.detail)
    if isinstance(error, Forbidden):
        return NotAllowed(message=error.detail)
    if isinstance(error, NotFoundError) or error.status == 410:
        return NotFound(message=error.detail)
    fields = [
        FieldProblem(field=camel_case(str(e["field"])), message=str(e["message"]))
        for e in error.extra.get("errors") or []
    ]
    if isinstance(error, Invalid) or fields:
        return ValidationProblem(message=error.detail, fields=fields)
    if isinstance(error, Conflict):
        by_slug = {"task-filled": TaskFilled, "offer-not-pending": OfferNotPending}
        return by_slug.get(error.slug, StateConflict)(message=error.detail)
    return ValidationProblem(message=error.detail, fields=[])


def union_members(union) -> tuple[type, ...]:
    inner = typing.get_args(union)[0] if typing.get_origin(union) is typing.Annotated else union
    return typing.get_args(inner)


def returns_problems(union):
    """Resolver decorator: expected domain errors become the union's problem members.

    A problem the union does not list is a bug in the resolver's declared result; it is raised
    as a GraphQL error rather than silently turned into another type.
    """
    allowed = union_members(union)

    def decorate(resolver):
        @functools.wraps(resolver)
        async def wrapper(*args, **kwargs):
            try:
                return await resolver(*args, **kwargs)
            except Exception as error:
                expected = error if isinstance(error, DomainError) else outage(error)
                if expected is None:
                    raise
                result = problem_for(expected)
                if type(result) not in allowed:
                    raise
                return result

        return wrapper

    return decorate
