"""The tasks service app: ``uv run uvicorn services.tasks.main:app --port 8002``."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from services.common.identity import TAXONOMY_READER, SignedCalls
from services.common.runtime import Runtime, create_service_app, start_consumer
from services.tasks.api import routers
from services.tasks.config import Settings
from services.tasks.events import member_erasures_handler, offer_outcomes_handler
from services.tasks.skills import SkillCatalogue

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DESCRIPTION = (
    "Tasks posted by the coalition's member organizations. Coordinators post and manage the tasks of the "
    "organizations they act for. The exact address of a task is shown only to volunteers who accepted it."
)


def consume_offer_outcomes(runtime: Runtime) -> None:
    topics = runtime.settings.topics
    start_consumer(runtime, "offer-outcomes", [topics.offers_events], offer_outcomes_handler(topics))


def consume_member_erasures(runtime: Runtime) -> None:
    topics = runtime.settings.topics
    start_consumer(runtime, "member-erasures", [topics.members_state], member_erasures_handler(topics))


def create_app(settings: Settings, skills: SkillCatalogue | None = None) -> FastAPI:
    """``skills`` answers which skill slugs exist; by default the members service at ``members_url``."""
    app = create_service_app(
        settings, title="Tasks service", description=DESCRIPTION, migrations_dir=MIGRATIONS, routers=routers,
        starters=[consume_offer_outcomes, consume_member_erasures],
    )
    members = httpx.Client(base_url=settings.members_url, timeout=5,
                           auth=SignedCalls(settings.service_token_issuer(), "members", TAXONOMY_READER))
    app.state.skills = skills or SkillCatalogue(members, ttl_seconds=settings.skills_cache_seconds)
    return app


settings = Settings()
app = create_app(settings)
