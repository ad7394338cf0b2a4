"""FastAPI dependencies every service uses: the runtime, a unit of work, who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from fastapi import Depends, Header, Request
from sqlmodel import Session

from services.common.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_session(runtime: Runtime = Depends(get_runtime)) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    The outbox relay is woken after the commit, so events leave within milliseconds.
    """
    with Session(runtime.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
    runtime.nudge_relay()


# Routes take ``session: Session = unit_of_work``. scope="function" commits before the response
# is sent: with FastAPI's default scope a failed commit would follow an already-sent 2xx, and
# the client's next request could arrive before its own write was visible.
unit_of_work = Depends(get_session, scope="function")


@dataclass(frozen=True)
class Actor:
    """Who the gateway says is asking; used for authorization checks and the audit log."""

    id: UUID | None
    role: str

    @property
    def label(self) -> str:
        return f"{self.role}:{self.id}" if self.id else self.role


def get_actor(
    x_actor_id: UUID | None = Header(default=None, description="Opaque id of the person acting"),
    x_actor_role: str = Header(default="system", description="volunteer, coordinator, admin or system"),
) -> Actor:
    return Actor(x_actor_id, x_actor_role)
