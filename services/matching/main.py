"""The matching service: ``uv run uvicorn services.matching.main:app --port 8003``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from kafka.coordinator.assignors.cooperative_sticky import CooperativeStickyAssignor

from services.common.runtime import Runtime, create_service_app, start_consumer
from services.matching.api import router
from services.matching.config import Settings
from services.matching.context import Matching
from services.matching.member_feed import run_members_feed
from services.matching.task_feed import task_state_handler
from services.matching.worker import run_worker

MIGRATIONS = Path(__file__).parent / "migrations"


def start_matching(settings: Settings):
    def start(runtime: Runtime) -> None:
        matching = Matching.build(runtime, settings)
        runtime.extras["matching"] = matching
        runtime.start_thread("members-feed", lambda stop: run_members_feed(matching, stop))
        start_consumer(
            runtime, "tasks", [settings.topics.tasks_state], task_state_handler(matching),
            listener=matching.ownership,
            # Cooperative rebalancing: when an instance joins or leaves, only the partitions that
            # move change hands; the others keep being matched instead of all pausing at once.
            partition_assignment_strategy=(CooperativeStickyAssignor,),
        )
        runtime.start_thread("matching-worker", lambda stop: run_worker(matching, stop))

    return start


def members_replayed(runtime: Runtime) -> bool:
    matching = runtime.extras.get("matching")
    return matching is not None and matching.directory.replayed.is_set()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings,
        title="Matching",
        description="Scored, explainable offers of tasks to members, and their lifecycle.",
        migrations_dir=MIGRATIONS,
        routers=[router],
        starters=[start_matching(settings)],
        extra_ready_checks={"members_replayed": members_replayed},
    )


settings = Settings()
app = create_app(settings)
