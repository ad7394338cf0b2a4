"""Tasks and matching as real processes on a broker the test owns, and what their databases hold.

Postings go through the tasks service's HTTP API (its outbox and relay publish them); members are
put on the members topic directly, as the members service would. Every check reads the services'
own SQLite databases and the topics, not numbers the services report about themselves.
"""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from sqlalchemy import create_engine, text

from services.common.contracts import SkillLevel
from services.common.kafka_io import ensure_topics
from services.common.settings import ServiceSettings
from tests.matching.factories import Publisher, member
from tests.reliability.service_calls import call
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import ServiceProcess, start_service
from tests.support.topic_reading import records_so_far

SKILL = "one-on-one-outreach"  # in the seeded taxonomy, which the tasks service checks
SLOTS = 2
WAVE = 3  # ceil(2 places x wave factor 1.5)
START_TIMEOUT_S = 180


@dataclass
class Pipeline:
    bootstrap: str
    directory: Path
    durability: dict[str, str] = field(default_factory=dict)  # KAFKA_* settings of every service
    prefix: str = field(default_factory=new_topic_prefix)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    posted: list[str] = field(default_factory=list)
    coordinator: tuple[str, str] | None = None
    organization_id: str | None = None

    def __post_init__(self) -> None:
        self.databases = {name: new_sqlite_database(self.directory, name) for name in ("members", "tasks", "matching")}
        self.settings = ServiceSettings(**self.env)
        # Topics first, laid out as the services would: their consumer group then forms once.
        ensure_topics(self.bootstrap, self.settings.topic_specs(), timeout_s=120)

    @property
    def env(self) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "KAFKA_TOPIC_PREFIX": self.prefix} | self.durability

    def start(self, name: str) -> ServiceProcess:
        # Few members answer many postings here: the cap on offers waiting per member (fairness, not
        # what these tests are about) is lifted, so every wave is full and fully determined.
        extra = (
            {
                "MATCHING_TICK_SECONDS": "0.2",
                "MATCHING_OFFER_TTL_SECONDS": "3600",
                "MATCHING_MAX_PENDING_OFFERS": "1000",
            }
            if name == "matching"
            else {}
        )
        if name == "tasks":  # it checks a task's skills against the members service's taxonomy
            extra = {"TASKS_MEMBERS_URL": self.members_url()}
        env = self.env | {f"{name.upper()}_DATABASE_URL": self.databases[name]} | extra
        self.services[name] = start_service(f"services.{name}.main", env, name=name, timeout_s=START_TIMEOUT_S)
        return self.services[name]

    def members_url(self) -> str:
        if "members" not in self.services:
            self.start("members")
        return self.url("members")

    def start_all(self, *names: str) -> None:
        """Start several services at once (they do not wait for each other)."""
        with ThreadPoolExecutor(len(names)) as pool:
            for started in [pool.submit(self.start, name) for name in names]:
                started.result()

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown hook runs, whatever the process had in memory is gone."""
        process = self.services[name].process
        process.kill()
        process.wait(10)

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def url(self, name: str) -> str:
        return self.services[name].url

    def publish_members(self, count: int) -> list[uuid.UUID]:
        publisher = Publisher(self.bootstrap, self.prefix)
        people = [
            member(skills={SKILL: SkillLevel.capable}, remote_ok=True, max_tasks_per_month=1000) for _ in range(count)
        ]
        for person in people:
            publisher.member(person)
        publisher.flush()
        publisher.close()
        return [person.member_id for person in people]

    def open_organization(self) -> None:
        created = call(
            "tasks", self.url("tasks"), "POST", "/organizations", json={"name": f"Tenants {uuid.uuid4().hex[:6]}"}
        )
        assert created.status_code == 201, created.text
        self.organization_id = created.json()["id"]
        self.coordinator = ("coordinator", str(uuid.uuid4()))
        added = call(
            "tasks",
            self.url("tasks"),
            "POST",
            f"/organizations/{self.organization_id}/coordinators",
            json={"coordinator_id": self.coordinator[1]},
        )
        assert added.status_code == 201, added.text

    def post_task(self, number: int) -> str:
        """Post a remote phone-bank shift; the task service answers from its database alone."""
        payload = {
            "organization_id": self.organization_id,
            "title": f"Phone bank for the rent strike, shift {number}",
            "skills": [{"skill": SKILL, "min_level": "learning"}],
            "languages": ["en"],
            "slots": SLOTS,
            "remote": True,
            "deadline": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
        }
        response = call("tasks", self.url("tasks"), "POST", "/tasks", actor=self.coordinator, json=payload)
        assert response.status_code == 201, response.text
        self.posted.append(response.json()["id"])
        return self.posted[-1]

    # What the databases hold.

    def rows(self, name: str, sql: str, **params) -> list[tuple]:
        engine = create_engine(self.databases[name])
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(sql), params)]
        finally:
            engine.dispose()

    def unsent_outbox_rows(self, name: str) -> int:
        return self.rows(name, "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL")[0][0]

    def task_ids(self, name: str) -> list[str]:
        """Every task id the service's database holds (duplicates kept, to be counted)."""
        table, column = ("task", "id") if name == "tasks" else ("matching_task", "task_id")
        return [str(uuid.UUID(str(row[0]))) for row in self.rows(name, f"SELECT {column} FROM {table}")]

    def offers(self) -> list[tuple[str, str, str]]:
        """(task id, member id, status) of every offer matching made."""
        found = self.rows("matching", "SELECT task_id, member_id, status FROM offer")
        return [(str(uuid.UUID(str(t))), str(uuid.UUID(str(m))), str(s).lower()) for t, m, s in found]

    def accepted_per_task(self, name: str) -> dict[str, int]:
        """Accepted volunteers per task: matching's offers, or the tasks service's own count."""
        if name == "tasks":
            found = self.rows("tasks", "SELECT id, accepted_count FROM task")
        else:
            found = self.rows(
                "matching", "SELECT task_id, count(*) FROM offer WHERE lower(status) = 'accepted' GROUP BY task_id"
            )
        return {str(uuid.UUID(str(task_id))): count for task_id, count in found if count}

    def accepted_offer_ids(self) -> list[str]:
        found = self.rows("matching", "SELECT id FROM offer WHERE lower(status) = 'accepted'")
        return [str(uuid.UUID(str(row[0]))) for row in found]

    def processed_event_ids(self, name: str, consumer: str) -> list[str]:
        found = self.rows(name, "SELECT event_id FROM processed_event WHERE consumer = :consumer", consumer=consumer)
        return [str(row[0]) for row in found]

    def fills(self) -> dict[str, tuple[int, int]]:
        found = self.rows("matching", "SELECT task_id, slots, accepted FROM task_fill")
        return {str(uuid.UUID(str(t))): (slots, accepted) for t, slots, accepted in found}

    def all_applied(self) -> bool:
        """Every posting published by the tasks service and applied by matching."""
        return not self.unsent_outbox_rows("tasks") and set(self.task_ids("matching")) == set(self.posted)

    def converged(self) -> bool:
        """Every posting applied by matching, with a full first wave of offers."""
        if not self.all_applied():
            return False
        waves = {}
        for task_id, _, _ in self.offers():
            waves[task_id] = waves.get(task_id, 0) + 1
        return all(waves.get(task_id, 0) >= WAVE for task_id in self.posted)


def read_topic(bootstrap: str, topic: str, timeout_s: float = 60) -> list[tuple[str | None, dict | None]]:
    """Every (key, event) on ``topic``, read from the beginning up to its end offsets."""
    return [
        (r.key.decode() if r.key else None, json.loads(r.value) if r.value else None)
        for r in records_so_far(bootstrap, topic, timeout_s)
    ]


def topic_layout(bootstrap: str, topic: str) -> tuple[set[int], str | None]:
    """How many replicas the topic's partitions have, and the topic's own min.insync.replicas."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="test-layout")
    try:
        partitions = admin.describe_topics([topic])[0]["partitions"]
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])["topic"][topic]
    finally:
        admin.close()
    min_insync = configs.get("min.insync.replicas", {}).get("value")
    return {len(p["replica_nodes"]) for p in partitions}, min_insync
