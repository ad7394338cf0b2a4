"""The members service app: ``uv run uvicorn services.members.main:app --port 8001``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.common.composition import AppDefinition, Background, Consume
from services.common.composition import create_app as compose
from services.members.api import routers
from services.members.config import Settings
from services.members.erasure import retention_sweep
from services.members.events import offer_answers
from services.members.wiring import Members

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DESCRIPTION = (
    "Member profiles for a coalition's volunteers. Names and contact details are encrypted at rest, "
    "revealed only through the audited contact endpoint, and never published as events. There is no "
    "field for immigration status, citizenship, nationality, ethnicity or religion, and none is accepted."
)


def definition() -> AppDefinition[Members]:
    return AppDefinition(
        name="members",
        title="Members service",
        description=DESCRIPTION,
        migrations_dir=MIGRATIONS,
        routers=routers,
        wire=Members.build,
        consumers=lambda members: [Consume("offer-answers", offer_answers(members.settings.topics))],
        background=lambda members: [Background("retention-sweep", retention_sweep(members.runtime, members.settings))],
    )


def create_app(settings: Settings) -> FastAPI:
    return compose(settings, definition())


settings = Settings()
app = create_app(settings)
