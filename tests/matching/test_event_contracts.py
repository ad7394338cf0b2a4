"""What matching will not apply: events the catalogue does not list, versions it does not read and
unreadable member records go to the dead-letter topic with the reason, on the real broker."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.matching.factories import SETTLE_S, member, task
from tests.support.events import dead_letters, raw_event
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka


@pytest.fixture
def matching(start_matching, new_database, publisher):
    running = start_matching(new_database("sqlite", "matching"))
    for _ in range(2):
        publisher.member(member())
    publisher.flush()
    return running


def send(publisher, topic: str, key, value: bytes | None) -> None:
    publisher.producer.send(topic, key=str(key).encode(), value=value)
    publisher.flush()


def test_a_task_state_of_a_version_matching_does_not_read_is_dead_lettered_and_offered_to_nobody(
    matching, publisher, kafka_bootstrap
):
    future = task(slots=2)
    send(publisher, publisher.topics.tasks_state, future.task_id, raw_event("task.updated", future, version=99))
    current = task(slots=2)
    publisher.task(current)
    publisher.flush()

    dead = dead_letters(kafka_bootstrap, publisher.topics.tasks_state)
    assert dead[0]["key"] == str(future.task_id).encode()
    assert "task.updated version 99 is not supported" in dead[0]["headers"]["dlt.reason"]
    assert dead[0]["headers"]["dlt.consumer"] == "matching.tasks"
    # The consumer moved on: the current task is offered, the one from the future never is.
    eventually(lambda: len(matching.offers(task_id=current.task_id)) == 2, SETTLE_S, message="offers of the v1 task")
    assert matching.offers(task_id=future.task_id) == []
    assert matching.client.get(f"/tasks/{future.task_id}/fill").status_code == 404


def test_an_event_type_the_catalogue_does_not_list_on_tasks_state_is_dead_lettered(
    matching, publisher, kafka_bootstrap
):
    stray = task()
    send(publisher, publisher.topics.tasks_state, stray.task_id, raw_event("task.teleported", stray))
    dead = dead_letters(kafka_bootstrap, publisher.topics.tasks_state)
    assert "'task.teleported' is not in the catalogue for tasks.state" in dead[0]["headers"]["dlt.reason"]
    assert matching.client.get(f"/tasks/{stray.task_id}/fill").status_code == 404


def test_the_members_reader_dead_letters_an_unreadable_member_record(matching, publisher, kafka_bootstrap):
    broken, future = uuid4(), member()
    send(publisher, publisher.topics.members_state, broken, b"garbage")
    send(publisher, publisher.topics.members_state, future.member_id, raw_event("member.updated", future, version=99))
    dead = dead_letters(kafka_bootstrap, publisher.topics.members_state, count=2)
    by_key = {letter["key"]: letter for letter in dead}
    assert by_key[str(broken).encode()]["value"] == b"garbage"
    assert by_key[str(broken).encode()]["headers"]["dlt.consumer"] == "matching.members-feed"
    assert (
        "member.updated version 99 is not supported" in by_key[str(future.member_id).encode()]["headers"]["dlt.reason"]
    )
    assert matching.matching.directory.get(future.member_id) is None
