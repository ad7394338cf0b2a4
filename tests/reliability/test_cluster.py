"""Kafka as a three-node KRaft cluster (replication 3, min.insync.replicas 2, acks=all): a node
SIGKILLed during a burst of postings, with volunteers answering, loses nothing, applies nothing
twice and over-fills no task."""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest

from tests.reliability import brokers
from tests.reliability.pipeline import SLOTS, read_topic, topic_layout
from tests.reliability.volunteers import Volunteers
from tests.support.processes import eventually

# Three JVMs, two services and 200 postings take minutes on a 2-core CI machine: run on demand
# with the command in README.md (Tests).
pytestmark = [
    pytest.mark.kafka,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not os.environ.get("RELIABILITY_CLUSTER"), reason="set RELIABILITY_CLUSTER=1 to run it"),
]

POSTINGS = 200
POSTERS = 4
KILL_AFTER = 70
DURABILITY = {"KAFKA_REPLICATION_FACTOR": "3", "KAFKA_MIN_INSYNC_REPLICAS": "2", "KAFKA_ACKS": "all"}


@pytest.fixture
def cluster(tmp_path_factory):
    nodes = brokers.three_node_cluster(tmp_path_factory.mktemp("cluster"))
    try:
        brokers.start_cluster(nodes)
        yield nodes
    finally:
        brokers.stop_all(nodes)


def post_burst(pipeline, numbers) -> None:
    for number in numbers:
        pipeline.post_task(number)


def test_a_node_killed_during_a_burst_loses_nothing_doubles_nothing_and_overfills_nothing(cluster, pipeline_on):
    pipeline = pipeline_on(brokers.bootstrap_of(cluster), **DURABILITY)
    # The product's topic set-up, driven by the settings above.
    for spec in pipeline.settings.topic_specs():
        assert topic_layout(pipeline.bootstrap, spec.name) == ({3}, "2"), spec.name
    pipeline.start_all("tasks", "matching")
    pipeline.publish_members(16)
    pipeline.open_organization()

    with Volunteers(pipeline.url("matching")) as volunteers:
        posters = [
            threading.Thread(target=post_burst, args=(pipeline, range(n, POSTINGS, POSTERS))) for n in range(POSTERS)
        ]
        for poster in posters:
            poster.start()
        eventually(lambda: len(pipeline.posted) >= KILL_AFTER, timeout_s=300, message=f"{KILL_AFTER} postings")
        brokers.kill(cluster[0])
        for poster in posters:
            poster.join(300)
        assert len(pipeline.posted) == POSTINGS

        def all_filled() -> bool:
            in_tasks = pipeline.accepted_per_task("tasks")
            return pipeline.all_applied() and all(in_tasks.get(task_id) == SLOTS for task_id in pipeline.posted)

        eventually(all_filled, timeout_s=400, interval_s=1, message="every task filled, as the tasks service sees it")

    # Nothing lost, nothing twice: each posting once in each database.
    assert Counter(pipeline.task_ids("tasks")) == Counter(pipeline.posted)
    assert Counter(pipeline.task_ids("matching")) == Counter(pipeline.posted)
    # Every event on the tasks topic applied by matching, each once (a re-sent copy is dropped).
    topics = pipeline.settings.topics
    on_topic = [event["event_id"] for _, event in read_topic(pipeline.bootstrap, topics.tasks_state)]
    task_events = set(on_topic)
    applied = pipeline.processed_event_ids("matching", "matching.tasks")
    assert Counter(applied) == Counter(task_events)
    # No place over-filled, and the tasks service counted each acceptance once.
    offers = pipeline.offers()
    assert len(offers) == len({(task, person) for task, person, _ in offers}), "a member offered a task twice"
    assert pipeline.accepted_per_task("matching") == {task_id: SLOTS for task_id in pipeline.posted}
    assert pipeline.accepted_per_task("tasks") == {task_id: SLOTS for task_id in pipeline.posted}
    assert all(accepted <= slots for slots, accepted in pipeline.fills().values())
    # Every acceptance a volunteer was told about is there, once.
    assert Counter(volunteers.accepted) == Counter(pipeline.accepted_offer_ids())
    print(
        f"{len(pipeline.posted)} postings, node {cluster[0].node_id} killed after {KILL_AFTER}; "
        f"{len(on_topic)} task events on the topic ({len(on_topic) - len(task_events)} re-sent copies), "
        f"each applied once; {len(offers)} offers, {len(volunteers.accepted)} accepted, no task over {SLOTS}"
    )
