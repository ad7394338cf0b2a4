"""What the end-to-end bench measures beside latency: the matcher at saturation, its start-up with
100,000 members and 10,000 open tasks, the memory of each process, and consumer lag.

Tasks here are written straight onto ``tasks.state`` as the tasks service's relay writes them
(``task.posted`` envelopes keyed by task id), so the matcher is measured alone, without the gateway
and the tasks service in front of it. Used by ``e2e_bench.py``; not part of the test suite.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from bench.rebuild_bench import publish as publish_members
from services.common.contracts import SkillLevel, SkillNeed, TaskState, TaskStatus
from services.common.envelope import wrap
from services.common.kafka_io import ensure_topics, make_consumer, make_producer
from services.common.topics import Topics, all_topics
from tests.support.infra import delete_topics_with_prefix, new_sqlite_database, new_topic_prefix
from tests.support.processes import start_service

ORGANIZATION, COORDINATOR = uuid.uuid4(), uuid.uuid4()


def task_state(skill: str, number: int) -> TaskState:
    """A one-place remote task in French needing ``skill``, 3 to 22 days ahead."""
    starts = (datetime.now(UTC) + timedelta(days=3 + number % 20)).replace(minute=0, second=0, microsecond=0)
    return TaskState(
        task_id=uuid.uuid4(),
        organization_id=ORGANIZATION,
        coordinator_id=COORDINATOR,
        status=TaskStatus.open,
        title=f"Translate leaflet q{number:x}",
        summary="French to Spanish",
        skills=[SkillNeed(skill=skill, min_level=SkillLevel.capable)],
        languages=["fr"],
        slots=1,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        remote=True,
    )


def publish_tasks(bootstrap: str, topic: str, skill: str, count: int) -> list[str]:
    """``count`` open tasks on ``tasks.state``, acknowledged by the broker; their ids."""
    producer = make_producer(bootstrap, "e2e-bench-tasks")
    ids = []
    for number in range(count):
        state = task_state(skill, number)
        ids.append(str(state.task_id))
        producer.send(topic, key=ids[-1].encode(), value=wrap("task.posted", state, "tasks").to_bytes())
    producer.flush(120)
    producer.close(5)
    return ids


def publish_at_rate(bootstrap: str, topic: str, skill: str, rate: float, seconds: float) -> dict:
    """Open loop straight onto ``tasks.state``: the i-th task is due at start + i / rate; the same
    figures as ``e2e_bench.post_at_rate`` (task id -> due moment, time to the broker's ack)."""
    producer = make_producer(bootstrap, "e2e-bench-direct")
    due_of: dict[str, float] = {}
    acked: list[float] = []
    start = time.perf_counter() + 0.5
    for number in range(int(rate * seconds)):
        due = start + number / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        state = task_state(skill, number)
        future = producer.send(
            topic, key=str(state.task_id).encode(), value=wrap("task.posted", state, "tasks").to_bytes()
        )
        future.add_callback(lambda _, due=due: acked.append(time.perf_counter() - due))
        due_of[str(state.task_id)] = due
    producer.flush(60)
    producer.close(5)
    return {"due": due_of, "acked": acked, "errors": {}}


def offers_reader(bootstrap: str, topic: str) -> KafkaConsumer:
    """A reader of every partition of ``topic`` from its current end (no group)."""
    consumer = make_consumer(bootstrap, None, "e2e-bench-offers")
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(partitions)
    consumer.seek_to_end(*partitions)
    for partition in partitions:
        consumer.position(partition)  # resolve the end now, before anything is produced
    return consumer


def matcher_saturation(bootstrap: str, topics: Topics, skill: str, count: int, timeout_s: float = 300) -> dict:
    """Tasks/s the matcher turns into first offers when ``count`` fitting tasks arrive at once."""
    reader = offers_reader(bootstrap, topics.offers_events)
    started = time.perf_counter()
    waiting = set(publish_tasks(bootstrap, topics.tasks_state, skill, count))
    published = time.perf_counter() - started
    firsts: list[float] = []
    while waiting and time.perf_counter() - started < timeout_s:
        for records in reader.poll(timeout_ms=200).values():
            for record in records:
                event = json.loads(record.value) if record.value else {}
                task_id = (event.get("data") or {}).get("task_id")
                if event.get("type") == "offer.created" and task_id in waiting:
                    waiting.discard(task_id)
                    firsts.append(time.perf_counter() - started)
    reader.close()
    done = len(firsts)
    return {
        "tasks": count,
        "offered": done,
        "published_s": published,
        "last_s": firsts[-1] if firsts else None,
        "per_s": done / firsts[-1] if firsts else 0.0,
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (every thread)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def consumer_lag(bootstrap: str, prefix: str) -> dict[str, int]:
    """Records not yet committed, per consumer group of this run (groups are named after the prefix)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="e2e-bench-lag")
    probe = KafkaConsumer(bootstrap_servers=bootstrap, client_id="e2e-bench-lag")
    try:
        lags = {}
        for group in (listed["group_id"] for listed in admin.list_groups()):
            if not group.startswith(prefix):
                continue
            committed = admin.list_group_offsets(group)[group]
            ends = probe.end_offsets(list(committed))
            lags[group.removeprefix(prefix)] = sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items())
        return lags
    finally:
        probe.close()
        admin.close()


def settled_lag(bootstrap: str, prefix: str, timeout_s: float = 10) -> tuple[dict[str, int], float | None]:
    """The consumer lag once it reached zero, and how many seconds that took (None: not within
    ``timeout_s``; the lag then is the last read). Consumers commit the positions of records they
    had nothing to do with only when their partitions go quiet, or a second later at most."""
    started = time.perf_counter()
    while True:
        lag = consumer_lag(bootstrap, prefix)
        if not any(lag.values()):
            return lag, time.perf_counter() - started
        if time.perf_counter() - started > timeout_s:
            return lag, None
        time.sleep(0.25)


def matching_startup(bootstrap: str, directory: Path, members: int, tasks: int) -> dict:
    """A fresh matcher over ``members`` profiles and ``tasks`` open tasks already on the broker:
    seconds to ready (every member read), to every task stored, and its RSS then; then the same
    matcher restarted over its own database (the usual restart)."""
    prefix = new_topic_prefix()
    topics = Topics(prefix)
    ensure_topics(bootstrap, all_topics(topics=topics))
    try:
        publish_members(bootstrap, topics.members_state, members)
        publish_tasks(bootstrap, topics.tasks_state, f"nobody-has-{uuid.uuid4().hex[:6]}", tasks)
        database = new_sqlite_database(directory, "matching-startup")
        env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix, "MATCHING_DATABASE_URL": database}
        first = _timed_start(env, database, tasks)
        again = _timed_start(env, database, tasks)
        return {"members": members, "tasks": tasks, "first": first, "restart": again}
    finally:
        delete_topics_with_prefix(bootstrap, prefix)


def _timed_start(env: dict[str, str], database: str, tasks: int, timeout_s: float = 600) -> dict:
    started = time.perf_counter()
    service = start_service("services.matching.main", env, name="matching-startup", timeout_s=timeout_s)
    try:
        ready = time.perf_counter() - started
        path = database.removeprefix("sqlite:///")
        while _stored_tasks(path) < tasks and time.perf_counter() - started < timeout_s:
            time.sleep(0.2)
        stored = time.perf_counter() - started
        return {
            "ready_s": ready,
            "tasks_s": stored,
            "tasks_stored": _stored_tasks(path),
            "rss_mib": rss_mib(service.process.pid),
        }
    finally:
        service.stop()


def _stored_tasks(path: str) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM matching_task").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not migrated yet
        return 0
