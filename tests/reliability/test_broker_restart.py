"""A broker that crashes and comes back: nothing posted meanwhile is lost or applied twice, and
the pipeline catches up within seconds of the broker's return."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.reliability import brokers
from tests.reliability.pipeline import WAVE, read_topic
from tests.support.processes import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(420)]

CONVERGENCE_S = 10  # from the broker answering again to every posting matched


def assert_each_posting_once(pipeline) -> None:
    assert Counter(pipeline.task_ids("tasks")) == Counter(pipeline.posted)
    assert Counter(pipeline.task_ids("matching")) == Counter(pipeline.posted)
    offers = pipeline.offers()
    assert len(offers) == len(set((task, person) for task, person, _ in offers)), "a member offered a task twice"
    assert Counter(task for task, _, _ in offers) == {task_id: WAVE for task_id in pipeline.posted}


def test_a_broker_killed_mid_burst_loses_nothing_and_the_pipeline_converges_within_seconds(own_broker, pipeline_on):
    pipeline = pipeline_on(own_broker.bootstrap)
    pipeline.start_all("tasks", "matching")
    pipeline.publish_members(12)
    pipeline.open_organization()

    for number in range(30):
        if number == 10:
            brokers.kill(own_broker)
        pipeline.post_task(number)  # answered from the tasks database: the broker is not on the path
    assert pipeline.unsent_outbox_rows("tasks") > 0
    time.sleep(3)  # the relay keeps failing against the dead broker for a while

    back_at = brokers.start(own_broker)
    eventually(pipeline.all_applied, timeout_s=120, interval_s=0.1, message="every posting applied by matching")
    took = time.monotonic() - back_at
    print(f"every posting applied {took:.1f}s after the broker came back")
    assert took < CONVERGENCE_S, f"took {took:.1f}s to converge after the broker came back"
    eventually(pipeline.converged, timeout_s=60, message="a first wave of offers for every posting")
    assert_each_posting_once(pipeline)


def test_a_service_killed_after_its_commit_and_before_its_relay_published_delivers_the_posting_once(
    own_broker,
    pipeline_on,
):
    pipeline = pipeline_on(own_broker.bootstrap)
    pipeline.start_all("tasks", "matching")
    pipeline.publish_members(6)
    pipeline.open_organization()
    pipeline.post_task(0)
    eventually(pipeline.converged, timeout_s=60, message="the first posting matched")

    brokers.kill(own_broker)
    for number in range(1, 6):
        pipeline.post_task(number)
    assert pipeline.unsent_outbox_rows("tasks") == 5  # committed, not published
    pipeline.kill("tasks")  # its producer's buffer dies with it

    brokers.start(own_broker)
    pipeline.start("tasks")  # same database: its relay finds the five rows
    eventually(pipeline.converged, timeout_s=60, message="the five postings matched")

    published = Counter(key for key, _ in read_topic(own_broker.bootstrap, pipeline.settings.topics.tasks_state))
    assert published == {task_id: 1 for task_id in pipeline.posted}, "each posting on the topic exactly once"
    assert_each_posting_once(pipeline)
