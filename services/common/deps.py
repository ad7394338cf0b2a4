"""FastAPI dependencies every service uses: the runtime, a unit of work, who is asking."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from services.common.identity import Unauthenticated
from services.common.roles import Actor
from services.common.runtime import Runtime
from services.common.settings import InternalServiceSettings


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime  # set by the app's lifespan (services.common.composition)
    return runtime


def get_session(runtime: Runtime = Depends(get_runtime)) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    The events it queued leave within milliseconds (``Runtime.unit_of_work`` wakes the relay).
    """
    with runtime.unit_of_work() as session:
        yield session


# Routes take ``session: Session = unit_of_work``. scope="function" commits before the response
# is sent: with FastAPI's default scope a failed commit would follow an already-sent 2xx, and
# the client's next request could arrive before its own write was visible.
unit_of_work = Depends(get_session, scope="function")


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ServiceToken",
    description="A service token (EdDSA JWT) a trusted issuer signed for this service",
)


def get_actor(
    runtime: Runtime = Depends(get_runtime), credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Actor:
    """The actor of a verified service token: 401 without one or with a bad one, never a default."""
    if credentials is None:
        raise Unauthenticated("this service answers only calls with a service token: Authorization: Bearer <token>")
    settings = runtime.settings
    if not isinstance(settings, InternalServiceSettings):
        raise TypeError(f"{settings.service_name} has no token settings; its Settings must be InternalServiceSettings")
    claims = settings.token_verifier.verify(credentials.credentials)
    return Actor(claims.actor_id, claims.role)
