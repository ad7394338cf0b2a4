"""A matcher SIGKILLed in the middle of a stream of postings, then restarted on its database,
ends in the same state as a matcher that ran undisturbed on the same stream."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from uuid import uuid4

import pytest

from services.common.contracts import SkillLevel
from tests.matching.factories import Publisher, member, task
from tests.reliability.pipeline import SLOTS, WAVE, read_topic
from tests.reliability.service_calls import call
from tests.support.processes import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(420)]

SKILLS = [f"canvassing-{n}" for n in range(8)]
TASKS_PER_SKILL = 3


def coalition():
    """Three members per skill and tasks each needing one skill: every wave is fully determined."""
    people = [
        member(skills={skill: SkillLevel.capable}, remote_ok=True, max_tasks_per_month=1000)
        for skill in SKILLS
        for _ in range(WAVE)
    ]
    needs = []
    for number in range(TASKS_PER_SKILL):
        for skill in SKILLS:
            need = task(
                slots=SLOTS,
                skills={skill: SkillLevel.learning},
                remote=True,
                area=None,
                title=f"Canvass the block, round {number}",
                task_id=uuid4(),
            )
            needs.append(
                need.model_copy(
                    update={"starts_at": None, "ends_at": None, "deadline": need.starts_at + timedelta(days=5)}
                )
            )
    return people, needs


def offer_states(pipeline) -> Counter:
    return Counter((task_id, person, status) for task_id, person, status in pipeline.offers())


def full_waves(pipeline, task_ids) -> bool:
    made = Counter(task_id for task_id, _, _ in pipeline.offers())
    return set(pipeline.task_ids("matching")) == task_ids and all(made[t] == WAVE for t in task_ids)


def answer_two_per_task(pipeline) -> None:
    """The two members with the smallest ids accept each task; the third is then withdrawn."""
    pending = call("matching", pipeline.url("matching"), "GET", "/offers", params={"status": "pending", "limit": 200})
    offers = pending.json()["items"]
    by_task: dict[str, list[dict]] = {}
    for offer in offers:
        by_task.setdefault(offer["task_id"], []).append(offer)
    chosen = [
        offer for task_offers in by_task.values() for offer in sorted(task_offers, key=lambda o: o["member_id"])[:SLOTS]
    ]

    def accept(offer: dict) -> int:
        return call(
            "matching",
            pipeline.url("matching"),
            "POST",
            f"/offers/{offer['id']}/accept",
            actor=("volunteer", offer["member_id"]),
            json={"member_id": offer["member_id"]},
        ).status_code

    with ThreadPoolExecutor(4) as pool:  # volunteers answer at the same moment
        assert set(pool.map(accept, chosen)) == {200}


def test_a_matcher_killed_mid_stream_ends_like_an_undisturbed_one(kafka_bootstrap, pipeline_on):
    clean, crashed = pipeline_on(kafka_bootstrap), pipeline_on(kafka_bootstrap)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda pipeline: pipeline.start("matching"), (clean, crashed)))
    people, needs = coalition()
    publishers = [Publisher(kafka_bootstrap, pipeline.prefix) for pipeline in (clean, crashed)]
    for person in people:
        for publisher in publishers:
            publisher.member(person)
    for number, need in enumerate(needs):
        if number == len(needs) // 3:
            eventually(lambda: crashed.task_ids("matching"), timeout_s=60, message="the matcher at work")
            crashed.kill("matching")
        if number == 2 * len(needs) // 3:
            crashed.start("matching")  # same database, same consumer group: resumes where it committed
        for publisher in publishers:
            publisher.task(need)
            publisher.flush()
        time.sleep(0.05)
    for publisher in publishers:
        publisher.close()

    task_ids = {str(need.task_id) for need in needs}
    for pipeline in (clean, crashed):
        eventually(lambda p=pipeline: full_waves(p, task_ids), timeout_s=120, message="a full wave for every task")
        answer_two_per_task(pipeline)
    filled = {task_id: (SLOTS, SLOTS) for task_id in task_ids}
    for pipeline in (clean, crashed):
        eventually(
            lambda p=pipeline: p.fills() == filled and offer_states(p) == offer_states(clean),
            timeout_s=60,
            message="every task filled, the third offer withdrawn",
        )

    assert offer_states(crashed) == offer_states(clean)
    assert Counter(crashed.task_ids("matching")) == Counter(task_ids)
    # Each task event applied once by the crashed matcher; each offer announced as one event.
    task_events = {event["event_id"] for _, event in read_topic(kafka_bootstrap, crashed.settings.topics.tasks_state)}
    assert Counter(crashed.processed_event_ids("matching", "matching.tasks")) == Counter(task_events)
    created = {
        (event["data"]["offer_id"], event["event_id"])
        for _, event in read_topic(kafka_bootstrap, crashed.settings.topics.offers_events)
        if event["type"] == "offer.created"
    }
    assert len(created) == len(task_ids) * WAVE, "one offer.created event per offer"
