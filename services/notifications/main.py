"""The notifications service: ``uv run uvicorn services.notifications.main:app --port 8004``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from services.common.clock import utc_now
from services.common.composition import AppDefinition, Background, Consume
from services.common.composition import create_app as compose
from services.common.runtime import Runtime
from services.notifications.api import router
from services.notifications.channels import Channel, EmailChannel
from services.notifications.config import Settings
from services.notifications.consumers import offer_news, recipients, schedules
from services.notifications.gateway_client import GatewayClient
from services.notifications.matching_client import MatchingClient
from services.notifications.members_client import MembersClient
from services.notifications.purge import Purger
from services.notifications.sender import Sender

MIGRATIONS = Path(__file__).parent / "migrations"
DESCRIPTION = (
    "Reaches members where they are: email over SMTP, discreet by default. Stores no address: each "
    "one is read from the members service (a coordinator's from the gateway; audited, purpose "
    "'notification') at send time and kept in memory for that send only. A task's at-risk mail "
    "reads matching's counts of why it is not filling when it is due."
)


@dataclass
class Notifications:
    """This app's wiring: its settings, the sender that works through the delivery outbox and the
    purger of old delivery records."""

    runtime: Runtime
    settings: Settings
    sender: Sender
    purger: Purger

    @classmethod
    def build(
        cls, runtime: Runtime, channels: dict[str, Channel] | None = None, clock: Callable[[], datetime] = utc_now
    ) -> Notifications:
        settings: Settings = runtime.settings  # type: ignore[assignment]
        tokens = settings.service_token_issuer()
        members = MembersClient(settings.members_url, settings.members_timeout_seconds, tokens)
        coordinators = GatewayClient(settings.gateway_url, settings.gateway_timeout_seconds, tokens)
        matching = MatchingClient(settings.matching_url, settings.matching_timeout_seconds, tokens)
        sender = Sender(
            runtime.engine,
            settings,
            channels or {"email": EmailChannel(settings)},
            members,
            coordinators,
            matching,
            clock,
        )
        purger = Purger(runtime.engine, timedelta(days=settings.record_retention_days), settings.purge_every_seconds)
        return cls(runtime, settings, sender, purger)


def consumers(notifications: Notifications) -> list[Consume]:
    topics, language = notifications.settings.topics, notifications.settings.default_language
    offsets = notifications.settings.reminder_offsets_seconds
    at_risk_before = notifications.settings.at_risk_seconds_before
    return [
        Consume("members", recipients(topics, language)),
        Consume("tasks", schedules(topics, offsets, at_risk_before)),
        Consume("offers", offer_news(topics, offsets, queued=notifications.sender.queued)),
    ]


def definition(
    channels: dict[str, Channel] | None = None, clock: Callable[[], datetime] = utc_now
) -> AppDefinition[Notifications]:
    """``channels`` stand in for email in tests (name -> channel); ``clock`` is the sender's, which
    decides what is due (quiet hours, reminders): a test moves it on rather than wait."""
    return AppDefinition(
        name="notifications",
        title="Notifications",
        description=DESCRIPTION,
        migrations_dir=MIGRATIONS,
        routers=[router],
        wire=lambda runtime: Notifications.build(runtime, channels, clock),
        consumers=consumers,
        background=lambda notifications: [
            Background("sender", notifications.sender.run),
            Background("purge", notifications.purger.run),
        ],
        close=stop_sending,
    )


async def stop_sending(notifications: Notifications) -> None:
    """On shutdown, before the runtime joins the threads: the sender may be waiting out its poll."""
    notifications.sender.stop()


def create_app(
    settings: Settings | None = None,
    channels: dict[str, Channel] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> FastAPI:
    return compose(settings or Settings(), definition(channels, clock))


settings = Settings()
app = create_app(settings)
