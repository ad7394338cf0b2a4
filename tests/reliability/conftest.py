"""Brokers of the reliability tests' own, and the tasks-and-matching pipeline on them."""

from __future__ import annotations

import pytest

from tests.reliability import brokers
from tests.reliability.pipeline import Pipeline
from tests.support.infra import delete_topics_with_prefix


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory):
    """A single broker for one test module, killed and restarted by its tests, stopped at the end."""
    broker = brokers.single_broker(tmp_path_factory.mktemp("kafka"))
    brokers.start(broker)
    yield broker
    brokers.stop_all([broker])


@pytest.fixture
def pipeline_on(tmp_path):
    """``pipeline_on(bootstrap, **durability)``: a fresh pipeline; its processes are stopped and its
    topics deleted afterwards."""
    made: list[Pipeline] = []

    def make(bootstrap: str, **durability: str) -> Pipeline:
        made.append(Pipeline(bootstrap, tmp_path, durability))
        return made[-1]

    yield make
    for pipeline in made:
        pipeline.stop()
        delete_topics_with_prefix(pipeline.bootstrap, pipeline.prefix)
