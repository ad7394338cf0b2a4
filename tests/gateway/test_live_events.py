"""The gateway's Kafka side on the real broker: its erasure consumer dead-letters what it cannot
apply, and its live reader tells subscribers each change once, never an older one after a newer."""

from __future__ import annotations

import threading
import uuid

import pytest
from kafka import KafkaProducer

from gateway.live.reader import EventReader
from services.common.kafka_io import ensure_topics
from services.common.topics import Topics, all_topics
from tests.gateway.test_http_edges import FakeServices, make_client
from tests.support.events import dead_letters, raw_event
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka


@pytest.fixture
def topics(kafka_bootstrap, topic_prefix) -> Topics:
    topics = Topics(topic_prefix)
    ensure_topics(kafka_bootstrap, all_topics(topics=topics))
    return topics


@pytest.fixture
def producer(kafka_bootstrap):
    made = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    yield made
    made.close(5)


def test_the_gateway_s_erasure_consumer_writes_what_it_cannot_apply_to_the_dead_letter_topic(
    tmp_path, kafka_bootstrap, topic_prefix, topics, producer
):
    with make_client(
        tmp_path, FakeServices(), live_updates=True, kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix
    ) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, 60, message="gateway ready")
        producer.send(topics.members_state, key=b"not-a-member-id", value=None).get(15)
        member = str(uuid.uuid4())
        producer.send(
            topics.members_state,
            key=member.encode(),
            value=raw_event("member.teleported", {"member_id": member, "status": "active"}),
        ).get(15)
        dead = dead_letters(kafka_bootstrap, topics.members_state, count=2)
    assert [letter["key"] for letter in dead] == [b"not-a-member-id", member.encode()]
    assert {letter["headers"]["dlt.consumer"] for letter in dead} == {"gateway.member-erasures"}
    assert "is not a member id" in dead[0]["headers"]["dlt.reason"]
    assert "'member.teleported' is not in the catalogue for members.state" in dead[1]["headers"]["dlt.reason"]


def offer(task_id: str, offer_id: str, status: str, sequence: int) -> dict:
    return {
        "offer_id": offer_id,
        "task_id": task_id,
        "member_id": str(uuid.UUID(int=7)),
        "status": status,
        "sequence": sequence,
    }


def fill(task_id: str, accepted: int, sequence: int) -> dict:
    return {"task_id": task_id, "slots": 2, "accepted": accepted, "sequence": sequence}


def test_subscribers_hear_each_change_once_and_never_an_older_one_after_a_newer(kafka_bootstrap, topics, producer):
    heard = []
    reader = EventReader(kafka_bootstrap, topics, [heard.append])
    stop = threading.Event()
    thread = threading.Thread(target=reader.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert reader.ready.wait(60), "live reader ready"
        task_id, first, last = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        created = raw_event("offer.created", offer(task_id, first, "pending", 1))
        sent = [
            created,
            created,  # the relay sent the tail of a batch again
            raw_event("offer.accepted", offer(task_id, first, "accepted", 2)),
            raw_event("offer.created", offer(task_id, first, "pending", 1)),  # an older change, arriving late
            raw_event("fill.completed", fill(task_id, accepted=2, sequence=5)),
            raw_event("fill.reopened", fill(task_id, accepted=1, sequence=4)),  # older than the completed fill
            raw_event("offer.created", offer(task_id, last, "pending", 1)),
        ]
        for value in sent:  # keyed by task: one partition, in this order
            producer.send(topics.offers_events, key=task_id.encode(), value=value)
        producer.flush(15)
        eventually(lambda: any(event.data.get("offer_id") == last for event in heard), 45, message="last event heard")
    finally:
        stop.set()
        thread.join(10)
    told = [(event.type, event.data.get("offer_id"), event.data.get("sequence")) for event in heard]
    assert told == [
        ("offer.created", first, 1),
        ("offer.accepted", first, 2),
        ("fill.completed", None, 5),
        ("offer.created", last, 1),
    ]
