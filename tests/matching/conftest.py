"""Ways to run the matching service in tests: its handlers on a real database without Kafka,
the whole app in-process against the real broker, or real processes (see tests/support).

Callers sign service tokens as the product's do (tests/support/service_tokens.py); clients call
as the system (the operator's tools) unless a request names its own caller."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from kafka import TopicPartition
from sqlalchemy import text
from sqlmodel import Session

from services.common.clock import utc_now
from services.common.composition import bootstrap
from services.common.db import session_scope
from services.common.kafka_io import InMemoryProducer, ensure_topics
from services.common.roles import Actor
from services.common.topics import Topics, all_topics
from services.matching import worker
from services.matching.config import Settings
from services.matching.context import Matching
from services.matching.directory import MemberDirectory
from services.matching.handlers import Call
from services.matching.main import create_app, definition
from services.matching.open_tasks import OpenTasks
from services.matching.tasks_reader import task_state_arrived
from services.matching.work import WorkQueue
from tests.matching.factories import SETTLE_S, Publisher, member, task
from tests.support.processes import eventually
from tests.support.service_tokens import CallsAs, SignedHeaders, calling_as, signed_headers

SYSTEM = signed_headers("matching", "system")


def volunteer(member_id: str) -> SignedHeaders:
    return signed_headers("matching", "volunteer", member_id)


def system_caller() -> CallsAs:
    """For httpx clients of a matching process: ``httpx.Client(..., auth=system_caller())``."""
    return CallsAs(SYSTEM)


class Harness:
    """The matching service minus its threads: call handlers and passes with a chosen clock."""

    def __init__(self, database_url: str, **overrides):
        self.settings = Settings(database_url=database_url, environment="test", **overrides)
        # The app's own wiring from the composition root, with no broker: events stay in memory.
        self.producer = InMemoryProducer()
        self.matching = bootstrap(self.settings, definition(), producer=self.producer).wiring
        topic = self.settings.topics.tasks_state
        self.matching.ownership.on_partitions_assigned([TopicPartition(topic, p) for p in range(6)])
        self.matching.directory.replayed.set()

    def reset(self) -> None:
        """Forget every member, task and offer (between hypothesis examples)."""
        with session_scope(self.engine) as session:
            for table in (
                "offer",
                "task_fill",
                "member_month_load",
                "matching_task",
                "task_widening",
                "missed_task",
                "outbox_message",
            ):
                session.execute(text(f"DELETE FROM {table}"))
        self.matching.directory = MemberDirectory(self.settings.score_weights, self.settings.tz)
        self.matching.directory.replayed.set()
        self.matching.work = WorkQueue(self.matching.worker_wakeup)
        self.matching.open_tasks = OpenTasks()

    @property
    def engine(self):
        return self.matching.runtime.engine

    def members(self, *states) -> None:
        self.matching.directory.apply((state.member_id, state) for state in states)

    def task(self, state, now: datetime, occurred_at: datetime | None = None, partition: int = 0) -> None:
        """As the tasks reader receives it: stored, and marked for the worker's next step."""
        with session_scope(self.engine) as session:
            task_state_arrived(session, self.matching, state, partition, occurred_at or now, now)

    def run_pass(self, now: datetime) -> int:
        return worker.run_pass(self.matching, now)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def call(self, session: Session, now: datetime | None = None, actor: Actor | None = None) -> Call:
        """A handler call as a route builds one: in ``session``, at ``now``, by ``actor`` (the system)."""
        return Call(session, self.matching, actor or Actor(None, "system"), now or utc_now())

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def harness(database_url):
    made = Harness(database_url)
    yield made
    made.close()


@pytest.fixture
def harness_with(database_url):
    """A harness with settings of the test's choosing: ``harness_with(max_pending_offers=1)``."""
    made: list[Harness] = []

    def build(**overrides) -> Harness:
        made.append(Harness(database_url, **overrides))
        return made[-1]

    yield build
    for each in made:
        each.close()


class RunningMatching:
    """The whole app in this process: lifespan, relay, consumers and worker on the real broker."""

    def __init__(self, client: TestClient, settings: Settings):
        self.client = client
        self.settings = settings

    @property
    def matching(self) -> Matching:
        return self.client.app.state.matching

    def offers(self, **params) -> list[dict]:
        params = {key: str(value) for key, value in params.items()} | {"limit": 200}
        return self.client.get("/offers", params=params).json()["items"]

    def answer(self, offer: dict, verb: str):
        return self.client.post(f"/offers/{offer['id']}/{verb}", json={"member_id": offer["member_id"]})

    def fill(self, task_id) -> dict:
        return self.client.get(f"/tasks/{task_id}/fill").json()


@pytest.fixture
def matching_topics(kafka_bootstrap, topic_prefix):
    """The test's own topics, created up front (``topic_prefix`` deletes them afterwards)."""
    ensure_topics(kafka_bootstrap, all_topics(Settings().topic_partitions, Topics(topic_prefix)))
    return topic_prefix


@pytest.fixture
def start_matching(kafka_bootstrap, matching_topics):
    """Start the app in-process: ``start_matching(database_url, offer_ttl_seconds=2, ...)``."""
    topic_prefix = matching_topics
    with ExitStack() as stack:

        def start(database_url: str, **overrides) -> RunningMatching:
            options = dict(tick_seconds=0.2, offer_ttl_seconds=3600) | overrides
            settings = Settings(
                database_url=database_url,
                kafka_bootstrap_servers=kafka_bootstrap,
                topic_prefix=topic_prefix,
                environment="test",
                **options,
            )
            client = calling_as(stack.enter_context(TestClient(create_app(settings))), SYSTEM)
            eventually(lambda: client.get("/readyz").status_code == 200, SETTLE_S, message="matching ready")
            return RunningMatching(client, settings)

        yield start


@pytest.fixture
def publisher(kafka_bootstrap, topic_prefix):
    made = Publisher(kafka_bootstrap, topic_prefix)
    yield made
    made.close()


@pytest.fixture
def offered(start_matching, new_database, publisher):
    """A running service with one open task offered to two members (slots 1, wave of 2)."""
    matching = start_matching(new_database("sqlite", "matching"))
    for _ in range(3):
        publisher.member(member())
    posted = task(slots=1)
    publisher.task(posted)
    publisher.flush()
    offers = eventually(
        lambda: (o := matching.offers(task_id=posted.task_id)) and len(o) == 2 and o, SETTLE_S, message="offers"
    )
    return matching, posted, offers
