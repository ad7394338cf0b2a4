"""GraphQL errors a client may read, and the ones it must not.

Expected problems travel as union members (see ``problems``). What remains as GraphQL errors is
either meant for the client (invalid queries, permission refusals, a service or the database
briefly away: the message is written for people) or a bug, whose details stay in the log and never
leave.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.live.hub import SubscriberTooSlow
from services.common.problems import DomainError, ServiceUnavailable, outage

log = logging.getLogger("gateway.graphql")

UNEXPECTED = "Something went wrong on our side; it has been logged."
_FOR_CLIENTS = (DomainError, GraphQLError, SubscriberTooSlow)


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, _FOR_CLIENTS) and outage(original) is None


def with_code(error: GraphQLError) -> GraphQLError:
    """Give domain errors a machine-readable code next to their message; an unreachable
    database becomes the same "unavailable, try again" a service that is down gives."""
    original = error.original_error
    if original is not None and not isinstance(original, _FOR_CLIENTS) and (unavailable := outage(original)):
        error = GraphQLError(unavailable.detail, error.nodes, error.source, error.positions, error.path, unavailable)
        original = unavailable
    if isinstance(original, DomainError):
        extensions = {**(error.extensions or {}), "code": original.slug.upper().replace("-", "_")}
        if isinstance(original, ServiceUnavailable):
            extensions["retryAfterSeconds"] = original.retry_after_seconds
        error.extensions = extensions
    return error


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self):
        super().__init__(should_mask_error=is_unexpected, error_message=UNEXPECTED)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return super()._process_errors([with_code(error) for error in errors])


class SubscriptionOverHttp(InvalidOperationTypeError):
    def __init__(self):
        super().__init__(OperationType.SUBSCRIPTION)

    def as_http_error_reason(self, method: str) -> str:
        return (
            f"Subscriptions are not answered over HTTP {method}: open a WebSocket to /graphql "
            "(protocol graphql-transport-ws) and subscribe there."
        )


class GatewaySchema(strawberry.Schema):
    async def execute(self, query, *args, allowed_operation_types=None, **kwargs):
        """Over HTTP (the only caller of ``execute``), a subscription is refused: it needs a socket."""
        allowed = set(allowed_operation_types or OperationType) - {OperationType.SUBSCRIPTION}
        try:
            return await super().execute(query, *args, allowed_operation_types=allowed, **kwargs)
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise SubscriptionOverHttp() from error
            raise

    def process_errors(self, errors, execution_context=None) -> None:
        for error in errors:
            if is_unexpected(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)
