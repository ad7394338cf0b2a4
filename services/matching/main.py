"""The matching service: ``uv run uvicorn services.matching.main:app --port 8003``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor

from services.common.composition import AppDefinition, Background, Consume, create_app as compose
from services.matching.api import router
from services.matching.attendance import attendance_marks
from services.matching.config import Settings
from services.matching.context import Matching
from services.matching.member_feed import run_members_feed
from services.matching.task_feed import task_states
from services.matching.scheduler import run_worker

MIGRATIONS = Path(__file__).parent / "migrations"


def consumers(matching: Matching) -> list[Consume]:
    return [
        Consume(
            "tasks", task_states(matching), listener=matching.ownership,
            # Cooperative rebalancing: when an instance joins or leaves, only the partitions that
            # move change hands; the others keep being matched instead of all pausing at once.
            options={"partition_assignment_strategy": (CooperativeStickyAssignor,)},
        ),
        Consume("attendance", attendance_marks(matching.settings.topics)),
    ]


def background(matching: Matching) -> list[Background]:
    # Every instance reads every member (no consumer group): see member_feed.
    return [
        Background("members-feed", lambda stop: run_members_feed(matching, stop)),
        Background("matching-worker", lambda stop: run_worker(matching, stop)),
    ]


def definition() -> AppDefinition[Matching]:
    return AppDefinition(
        name="matching", title="Matching", migrations_dir=MIGRATIONS,
        description="Scored, explainable offers of tasks to members, and their lifecycle.",
        routers=[router], wire=Matching.build, consumers=consumers, background=background,
        ready_checks={"members_replayed": lambda matching: matching.directory.replayed.is_set()},
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    return compose(settings or Settings(), definition())


settings = Settings()
app = create_app(settings)
