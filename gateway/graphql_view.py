"""The /graphql endpoint: strawberry's router with the gateway's context, WebSocket sign-in,
and honest HTTP status codes (a query that could not even start, or a body that cannot be read,
is the client's 400)."""

from __future__ import annotations

from cross_web import HTTPException
from starlette.requests import HTTPConnection
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter

from gateway.limits.http import UnreadableBody, client_address, read_json_body
from gateway.rejected_origins import log_rejected_origins_once
from gateway.schema.context import Context, bearer_token


async def graphql_context(connection: HTTPConnection) -> Context:
    gateway = connection.app.state.gateway
    return Context(
        gateway,
        bearer_token(connection.headers.get("authorization")),
        client_address(connection.scope, gateway.settings.proxies),
    )


def failed_before_execution(response_data) -> bool:
    """Parse and validation errors (and refused operations) carry no path and produce no data."""
    if not isinstance(response_data, dict) or response_data.get("data") is not None:
        return False
    errors = response_data.get("errors") or []
    return bool(errors) and all("path" not in error for error in errors)


class GatewayGraphQLRouter(GraphQLRouter[Context, None]):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        log_rejected_origins_once()

    def decode_json(self, data: str | bytes) -> object:
        try:
            return read_json_body(data)
        except UnreadableBody as error:
            raise HTTPException(400, str(error)) from error

    async def on_ws_connect(self, context: Context):
        """graphql-transport-ws: the token comes in connection_init's payload, not in headers."""
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        token = params.get("token") or (bearer_token(header) if isinstance(header, str) else header)
        if token is None:
            return None  # anonymous: public subscriptions only
        if not isinstance(token, str) or context.use_token(token) is None or await context.user() is None:
            raise ConnectionRejectionError({"message": "The token is not valid (expired?); log in again."})
        return None

    def create_response(self, response_data, sub_response):
        if failed_before_execution(response_data) and sub_response.status_code in (None, 200):
            sub_response.status_code = 400
        return super().create_response(response_data, sub_response)
