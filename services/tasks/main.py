"""The tasks service app: ``uv run uvicorn services.tasks.main:app --port 8002``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlmodel import Session

from services.common.composition import AppDefinition, Background
from services.common.composition import create_app as compose
from services.common.identity import TAXONOMY_READER, SignedCalls
from services.common.runtime import Runtime
from services.tasks.api import routers
from services.tasks.attendance_retention import keep_reducing
from services.tasks.config import Settings, settings_of
from services.tasks.consumers import consumers
from services.tasks.handlers import Call
from services.tasks.series import SYSTEM, keep_posting_ahead
from services.tasks.skills import SkillCatalogue

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DESCRIPTION = (
    "Tasks posted by the coalition's member organizations. Coordinators post and manage the tasks of the "
    "organizations they act for. The exact address of a task is shown only to volunteers who accepted it."
)


def series_ahead(runtime: Runtime, skills: SkillCatalogue) -> Background:
    """Posts each series' occurrences as they come within the horizon."""
    settings = settings_of(runtime)

    def call_for(session: Session) -> Call:
        horizon = timedelta(days=settings.series_horizon_days)
        return Call(session, settings.topics, SYSTEM, skills, settings.default_time_zone, horizon)

    return Background("series-ahead", keep_posting_ahead(runtime.unit_of_work, call_for, settings.series_check_seconds))


def attendance_reduced(runtime: Runtime) -> Background:
    """Reduces attendance older than its retention period to counts."""
    settings = settings_of(runtime)
    return Background(
        "attendance-retention",
        keep_reducing(
            runtime.unit_of_work,
            timedelta(days=settings.attendance_keep_days),
            timedelta(hours=settings.attendance_assumed_after_hours),
            settings.attendance_check_seconds,
        ),
    )


def definition(skills: SkillCatalogue | None = None) -> AppDefinition[Runtime]:
    # Routes need nothing beyond the runtime (database, topics): it is this app's whole wiring.
    return AppDefinition(
        name="tasks",
        title="Tasks service",
        description=DESCRIPTION,
        migrations_dir=MIGRATIONS,
        routers=routers,
        wire=lambda runtime: runtime,
        consumers=consumers,
        background=lambda runtime: (
            [attendance_reduced(runtime)] + ([series_ahead(runtime, skills)] if skills is not None else [])
        ),
    )


def create_app(settings: Settings, skills: SkillCatalogue | None = None) -> FastAPI:
    """``skills`` answers which skill slugs exist; by default the members service at ``members_url``."""
    if skills is None:
        members = httpx.Client(
            base_url=settings.members_url,
            timeout=5,
            auth=SignedCalls(settings.service_token_issuer(), "members", TAXONOMY_READER),
        )
        skills = SkillCatalogue(members, ttl_seconds=settings.skills_cache_seconds)
    app = compose(settings, definition(skills))
    app.state.skills = skills
    return app


settings = Settings()
app = create_app(settings)
