"""The notifications service: ``uv run uvicorn services.notifications.main:app --port 8004``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.common.runtime import Runtime, create_service_app, start_consumer
from services.notifications.api import router
from services.notifications.channels import Channel, EmailChannel
from services.notifications.config import Settings
from services.notifications.events import members_handler, offers_handler, tasks_handler
from services.notifications.members_client import MembersClient
from services.notifications.sender import Sender

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "Reaches members where they are: email over SMTP, discreet by default. Stores no address: each "
    "one is read from the members service (audited, purpose 'notification') at send time and kept in "
    "memory for that send only."
)


def start_notifications(settings: Settings, channels: dict[str, Channel] | None = None):
    def start(runtime: Runtime) -> None:
        members = MembersClient(settings.members_url, settings.members_timeout_seconds,
                                settings.service_token_issuer())
        sender = Sender(runtime.engine, settings, channels or {"email": EmailChannel(settings)}, members)
        runtime.extras["sender"] = sender
        start_consumer(runtime, "members", [settings.topics.members_state], members_handler(settings.default_language))
        start_consumer(runtime, "tasks", [settings.topics.tasks_state], tasks_handler)
        start_consumer(runtime, "offers", [settings.topics.offers_events], offers_handler(settings.default_language))
        runtime.start_thread("sender", sender.run)

    return start


def create_app(settings: Settings | None = None, channels: dict[str, Channel] | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings, title="Notifications", description=DESCRIPTION, migrations_dir=MIGRATIONS, routers=[router],
        starters=[start_notifications(settings, channels)],
    )


settings = Settings()
app = create_app(settings)
