"""The matching service: ``uv run uvicorn services.matching.main:app --port 8003``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.common.composition import AppDefinition, Background
from services.common.composition import create_app as compose
from services.matching.api import router
from services.matching.config import Settings
from services.matching.consumers import consumers
from services.matching.context import Matching
from services.matching.members_reader import run_members_reader
from services.matching.scheduler import run_worker

MIGRATIONS = Path(__file__).parent / "migrations"


def background(matching: Matching) -> list[Background]:
    # Every instance reads every member (no consumer group): see members_reader. The thread keeps
    # its name from before the reader was renamed: /health names dead threads.
    return [
        Background("members-feed", lambda stop: run_members_reader(matching, stop)),
        Background("matching-worker", lambda stop: run_worker(matching, stop)),
    ]


def definition() -> AppDefinition[Matching]:
    return AppDefinition(
        name="matching",
        title="Matching",
        migrations_dir=MIGRATIONS,
        description="Scored, explainable offers of tasks to members, and their lifecycle.",
        routers=[router],
        wire=Matching.build,
        consumers=consumers,
        background=background,
        ready_checks={"members_replayed": lambda matching: matching.directory.replayed.is_set()},
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    return compose(settings or Settings(), definition())


settings = Settings()
app = create_app(settings)
