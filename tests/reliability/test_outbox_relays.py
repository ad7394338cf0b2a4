"""Two replicas of a service, two relays on one PostgreSQL outbox: each key's events still reach
Kafka once each and in the order they were committed."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from itertools import pairwise

import pytest
from sqlmodel import Session, SQLModel

from services.common.db import make_engine
from services.common.envelope import Envelope
from services.common.kafka_io import ensure_topics
from services.common.outbox import OutboxMessage, OutboxRelay, add_event
from services.common.topics import TopicSpec
from tests.reliability.pipeline import read_topic
from tests.support.infra import new_postgres_database
from tests.support.processes import LOG_DIR, REPO, eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.timeout(240)]

KEYS = [f"task-{n}" for n in range(6)]
EVENTS_PER_KEY = 150


def start_relay(database_url: str, bootstrap: str, log_path) -> subprocess.Popen:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.relay_process", database_url, bootstrap, "10"],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def test_two_relays_publish_each_key_s_events_once_and_in_commit_order(postgres_server, kafka_bootstrap, topic_prefix):
    database_url = new_postgres_database(postgres_server, "outbox")
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine, tables=[OutboxMessage.__table__])
    topic = topic_prefix + "offers.events"
    ensure_topics(kafka_bootstrap, [TopicSpec(topic, 3, compacted=False)])
    logs = [LOG_DIR / f"relay-{topic_prefix}{n}.log" for n in (1, 2)]
    relays = [start_relay(database_url, kafka_bootstrap, log) for log in logs]
    try:
        # Both relays polling before the first commit: a relay still connecting under load once
        # found the other had published everything (0 and 900).
        eventually(
            lambda: all("polling" in log.read_text() for log in logs), timeout_s=60, message="both relays polling"
        )
        for sequence in range(EVENTS_PER_KEY):
            with Session(engine) as session:  # one commit per round, as many requests would make
                for key in KEYS:
                    add_event(
                        session,
                        topic,
                        key,
                        Envelope(type="offer.created", source="matching", data={"sequence": sequence}),
                    )
                session.commit()
        eventually(lambda: OutboxRelay(engine).backlog() == 0, timeout_s=120, message="outbox drained")
    finally:
        for relay in relays:
            relay.terminate()
            relay.wait(15)
        engine.dispose()
    shares = [int(re.search(r"published (\d+)", log.read_text()).group(1)) for log in logs]
    assert sum(shares) == len(KEYS) * EVENTS_PER_KEY and min(shares) > 0, f"rows published by each relay: {shares}"

    published = defaultdict(list)
    for key, event in read_topic(kafka_bootstrap, topic):
        published[key].append(event["data"]["sequence"])
    for key in KEYS:
        assert published[key] == list(range(EVENTS_PER_KEY)), f"{key}: {first_disorder(published[key])}"


def first_disorder(sequences: list[int]) -> str:
    for position, (before, after) in enumerate(pairwise(sequences)):
        if after != before + 1:
            return f"out of order at position {position + 1}: {before} then {after}"
    return f"{len(sequences)} events in order"
