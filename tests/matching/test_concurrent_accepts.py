"""Capacity under a rush: 200 volunteers press "accept" at the same moment on a task with three
places, through the HTTP API of a real service process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest

from services.common.contracts import SkillLevel
from tests.matching.conftest import system_caller
from tests.matching.factories import SETTLE_S, member, task
from tests.support.processes import eventually, start_service
from tests.support.topic_reading import read_events

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

SLOTS = 3
VOLUNTEERS = 200


def matching_process(database_url, kafka_bootstrap, topic_prefix, **settings):
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "MATCHING_DATABASE_URL": database_url,
        "MATCHING_TICK_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    } | {f"MATCHING_{name.upper()}": str(value) for name, value in settings.items()}
    return start_service("services.matching.main", env=env)


def accept_all_at_once(base_url: str, offers: list[dict]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(offers))
    responses: list[httpx.Response | None] = [None] * len(offers)

    def accept(index: int, offer: dict) -> None:
        with httpx.Client(base_url=base_url, timeout=60, auth=system_caller()) as client:
            barrier.wait()
            responses[index] = client.post(f"/offers/{offer['id']}/accept", json={"member_id": offer["member_id"]})

    threads = [threading.Thread(target=accept, args=(i, offer)) for i, offer in enumerate(offers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return responses


def test_two_hundred_simultaneous_accepts_fill_three_places_exactly(
    database_url, kafka_bootstrap, matching_topics, publisher
):
    topic_prefix = matching_topics
    # A wave wide enough that 190 different volunteers hold an offer for the same three places.
    service = matching_process(database_url, kafka_bootstrap, topic_prefix, wave_factor=64)
    try:
        for _ in range(192):
            publisher.member(member(skills={"sign-holding": SkillLevel.learning}))
        rally = task(slots=SLOTS, skills={"sign-holding": SkillLevel.learning}, title="Rally sign holders")
        publisher.task(rally)
        publisher.flush()
        with httpx.Client(base_url=service.url, timeout=30, auth=system_caller()) as client:
            offers = eventually(
                lambda: (
                    (
                        items := client.get("/offers", params={"task_id": str(rally.task_id), "limit": 200}).json()[
                            "items"
                        ]
                    )
                    and len(items) == 192
                    and items
                ),
                SETTLE_S,
                message="192 offers",
            )
        # 180 volunteers answer once, 20 of them press the button twice.
        rush = offers[:180] + offers[:20]
        responses = accept_all_at_once(service.url, rush)

        statuses = Counter(response.status_code for response in responses)
        assert set(statuses) <= {200, 409}, statuses
        winners = {response.json()["id"] for response in responses if response.status_code == 200}
        assert len(winners) == SLOTS
        refusals = {response.json()["type"] for response in responses if response.status_code == 409}
        assert refusals == {"/problems/task-filled"}

        with httpx.Client(base_url=service.url, auth=system_caller()) as client:
            fill = client.get(f"/tasks/{rally.task_id}/fill").json()
        assert (fill["accepted"], fill["pending"], len(fill["accepted_member_ids"])) == (SLOTS, 0, SLOTS)
        topic = f"{topic_prefix}offers.events"
        types = eventually(
            lambda: (
                (c := Counter(e["type"] for e in read_events(kafka_bootstrap, topic))) and c["fill.completed"] and c
            ),
            SETTLE_S,
            message="fill.completed event",
        )
        assert (types["offer.accepted"], types["fill.completed"], types["offer.withdrawn"]) == (SLOTS, 1, 192 - SLOTS)
        assert "Traceback" not in service.log_text()
    finally:
        service.stop()


def test_a_double_click_on_accept_answers_both_clicks_with_the_accepted_offer(
    database_url, kafka_bootstrap, matching_topics, publisher
):
    pairs = 12
    service = matching_process(database_url, kafka_bootstrap, matching_topics)
    try:
        # One place per task and one volunteer who fits it: each offer is the only one of its task.
        posted = []
        for index in range(pairs):
            skill = f"skill-{chr(ord('a') + index)}"
            publisher.member(member(skills={skill: SkillLevel.learning}))
            posted.append(task(slots=1, skills={skill: SkillLevel.learning}, title=f"Task {skill}"))
            publisher.task(posted[-1])
        publisher.flush()
        with httpx.Client(base_url=service.url, timeout=30, auth=system_caller()) as client:

            def offer_of(state):
                items = client.get("/offers", params={"task_id": str(state.task_id)}).json()["items"]
                return items[0] if items else None

            offers = eventually(
                lambda: (found := [offer_of(state) for state in posted]) and all(found) and found,
                SETTLE_S,
                message="one offer per task",
            )

        responses = accept_all_at_once(service.url, offers + offers)

        answers = [
            (response.status_code, response.json().get("id") or response.json().get("type")) for response in responses
        ]
        assert answers == [(200, offer["id"]) for offer in offers + offers], answers
        assert {response.json()["status"] for response in responses} == {"accepted"}
    finally:
        service.stop()
