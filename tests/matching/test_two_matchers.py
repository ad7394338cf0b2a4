"""Scale-out: two matcher processes in one consumer group, sharing one PostgreSQL database.
Each task partition belongs to one of them; no task gets a second wave, no member a second offer
of the same task, no task more volunteers than places, and when one process stops the other takes
its partitions over."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from uuid import uuid4

import httpx
import pytest
from kafka.partitioner.default import murmur2

from services.common.contracts import SkillLevel, Weekday
from tests.matching.conftest import system_caller
from tests.matching.factories import SETTLE_S, member, next_weekday, task
from tests.support.processes import eventually, start_service

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

PARTITIONS = 6
OWNED = re.compile(r'^matching_owned_task_partition\{partition="(\d+)"\} 1\.0$', re.MULTILINE)
CHANGES = re.compile(r"matching task partitions (\[[\d, ]*\])")
CREATED = re.compile(r"^matching_offers_created_total ([\d.]+)$", re.MULTILINE)


def partition_of(task_id) -> int:
    """Where Kafka's default partitioner puts a key (how the tasks service's messages land)."""
    return (murmur2(str(task_id).encode()) & 0x7FFFFFFF) % PARTITIONS


def tasks_on_every_partition(per_partition: int, first_week: int = 1) -> list:
    """Outreach shifts, ``per_partition`` on each partition, at different times (nobody can be at two)."""
    task_ids, counts = [], Counter()
    while len(task_ids) < per_partition * PARTITIONS:
        candidate = uuid4()
        if counts[partition_of(candidate)] < per_partition:
            counts[partition_of(candidate)] += 1
            task_ids.append(candidate)
    shifts = [
        next_weekday(Weekday.saturday, hour, week)
        for week in range(first_week, first_week + 9)
        for hour in (8, 11, 14, 17)
    ]
    return [
        task(
            task_id=task_id,
            slots=2,
            skills={"outreach": SkillLevel.learning},
            title="Door-to-door outreach",
            starts_at=shift,
        )
        for task_id, shift in zip(task_ids, shifts, strict=False)
    ]


def owned_partitions(service) -> set[int]:
    return {int(p) for p in OWNED.findall(httpx.get(service.url + "/metrics").text)}


def partition_changes(service) -> list[list[int]]:
    """Every set of task partitions the instance logged holding, in order."""
    return [json.loads(found) for found in CHANGES.findall(service.log_text())]


def offers_created(service) -> float:
    return float(CREATED.search(httpx.get(service.url + "/metrics").text).group(1))


def all_offers(service, task_ids) -> list[dict]:
    with httpx.Client(base_url=service.url, auth=system_caller()) as client:
        return [
            o for t in task_ids for o in client.get("/offers", params={"task_id": str(t), "limit": 200}).json()["items"]
        ]


def split_between(first, second) -> bool:
    mine, theirs = owned_partitions(first), owned_partitions(second)
    return mine and theirs and not (mine & theirs) and (mine | theirs) == set(range(PARTITIONS))


def test_two_matchers_share_the_work_without_doubling_it(new_database, kafka_bootstrap, matching_topics, publisher):
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": matching_topics,
        "MATCHING_DATABASE_URL": new_database("postgresql", "matching"),
        "MATCHING_TICK_SECONDS": "0.2",
    }
    first = start_service("services.matching.main", env=env, name="matching-a")
    second = start_service("services.matching.main", env=env, name="matching-b")
    try:
        eventually(lambda: split_between(first, second), SETTLE_S, message="partitions split between the two")
        # Cooperative rebalancing: partitions change hands a few at a time; an instance never
        # gives up everything it holds just because another one joined.
        for service in (first, second):
            assert [] not in partition_changes(service), partition_changes(service)
        for _ in range(40):
            publisher.member(member(skills={"outreach": SkillLevel.capable}))
        needs = tasks_on_every_partition(per_partition=2)
        for state in needs:
            publisher.task(state)
        publisher.flush()
        task_ids = [state.task_id for state in needs]

        # Every task gets exactly one wave of ceil(2 x 1.5) = 3, each to a different member.
        offers = eventually(
            lambda: (o := all_offers(first, task_ids)) and len(o) >= 36 and o, SETTLE_S, message="waves"
        )
        assert Counter(o["task_id"] for o in offers) == {str(t): 3 for t in task_ids}
        assert len({(o["task_id"], o["member_id"]) for o in offers}) == 36
        assert offers_created(first) > 0 and offers_created(second) > 0  # both did part of it
        assert offers_created(first) + offers_created(second) == 36

        # Everybody accepts at once, half through each instance, each twice: two places per task.
        services = [first, second]
        responses = []

        def accept(offer, service):
            with httpx.Client(base_url=service.url, timeout=60, auth=system_caller()) as client:
                responses.append(client.post(f"/offers/{offer['id']}/accept", json={"member_id": offer["member_id"]}))

        threads = [
            threading.Thread(target=accept, args=(offer, services[(i + turn) % 2]))
            for i, offer in enumerate(offers)
            for turn in (0, 1)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert {r.status_code for r in responses} <= {200, 409}
        assert {r.json()["type"] for r in responses if r.status_code == 409} == {"/problems/task-filled"}
        for task_id in task_ids:
            fill = httpx.get(f"{second.url}/tasks/{task_id}/fill", auth=system_caller()).json()
            assert (fill["accepted"], fill["pending"]) == (2, 0)

        # One instance stops: the other takes every partition over and keeps matching.
        second.stop()
        eventually(lambda: owned_partitions(first) == set(range(PARTITIONS)), SETTLE_S, message="failover")
        latecomer = tasks_on_every_partition(per_partition=1, first_week=5)
        for state in latecomer:
            publisher.task(state)
        publisher.flush()
        late_offers = eventually(
            lambda: (o := all_offers(first, [s.task_id for s in latecomer])) and len(o) >= 18 and o,
            SETTLE_S,
            message="waves after failover",
        )
        assert len(late_offers) == 18
    finally:
        first.stop()
        second.stop()
