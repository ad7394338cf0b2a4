"""A cap on request body size, checked before the body is read (pure ASGI middleware).

A Content-Length over the limit is refused at once with a 413 problem; a body sent without a
length is counted as it arrives and refused as soon as it passes the limit (the app's problem
handler answers ``BodyTooLarge``). The gateway has its own guard (gateway.limits.http); this one
protects each service from any caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Scope, Send

from services.common.problems import BodyTooLarge, problem

# Starlette's own Receive, with the message type spelled out.
Receive = Callable[[], Awaitable[dict[str, Any]]]


def counting_receive(receive: Receive, max_bytes: int, too_large: Callable[[], Exception]) -> Receive:
    """``receive`` that counts the body as it arrives and raises ``too_large()`` once it passes
    ``max_bytes``: the one place a body sent without a length is held to the limit."""
    received = 0

    async def counting() -> dict[str, Any]:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise too_large()
        return message

    return counting


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers", ())).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            return await self._refusal(scope)(scope, receive, send)
        await self.app(scope, counting_receive(receive, self.max_bytes, lambda: BodyTooLarge(self.max_bytes)), send)

    def _refusal(self, scope: Scope) -> Response:
        error = BodyTooLarge(self.max_bytes)
        response = problem(413, error.slug, error.title, str(error.detail), scope["path"])
        response.headers["connection"] = "close"  # the unread body is not waited for
        return response
