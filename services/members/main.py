"""The members service app: ``uv run uvicorn services.members.main:app --port 8001``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.common.runtime import Runtime, create_service_app, start_consumer
from services.members.api import routers
from services.members.config import Settings
from services.members.erasure import start_retention_job
from services.members.events import apply_offer_event

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DESCRIPTION = (
    "Member profiles for a coalition's volunteers. Names and contact details are encrypted at rest, "
    "revealed only through the audited contact endpoint, and never published as events. There is no "
    "field for immigration status, citizenship, nationality, ethnicity or religion, and none is accepted."
)


def install_cipher(runtime: Runtime) -> None:
    runtime.extras["cipher"] = runtime.settings.cipher()


def consume_offer_answers(runtime: Runtime) -> None:
    start_consumer(runtime, "offer-answers", [runtime.settings.topics.offers_events], apply_offer_event)


def create_app(settings: Settings) -> FastAPI:
    return create_service_app(
        settings, title="Members service", description=DESCRIPTION, migrations_dir=MIGRATIONS, routers=routers,
        starters=[install_cipher, consume_offer_answers, start_retention_job],
    )


settings = Settings()
app = create_app(settings)
