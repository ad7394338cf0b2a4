"""Poison on every consumed topic, in every consumer of every app (the gateway's and the
notifications service's included): invalid JSON, bytes that are not UTF-8, an envelope without its
fields, a payload missing its fields, an unknown type, an unknown version and an oversized message
each go to ``<topic>.dlt`` with the reason and the consumer in headers, are never applied, and the
consumer goes on with the next record.

Each app is built by the composition root exactly as it runs, with an in-memory producer standing
in for Kafka so that the matrix (five apps, all their consumers, seven kinds of poison) runs in
seconds; the same path against the real broker is covered per service in the *_event_contracts
tests and tests/common/test_kafka_integration.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from kafka.consumer.fetcher import ConsumerRecord

from gateway.app import definition as gateway_definition
from gateway.config import Settings as GatewaySettings
from services.common.catalogue import CATALOGUE
from services.common.composition import Wired, bootstrap
from services.common.envelope import MAX_EVENT_BYTES
from services.common.kafka_io import InMemoryProducer
from services.common.topics import dead_letter_topic
from services.matching.config import Settings as MatchingSettings
from services.matching.main import definition as matching_definition
from services.members.config import Settings as MembersSettings
from services.members.main import definition as members_definition
from services.notifications.config import Settings as NotificationsSettings
from services.notifications.main import definition as notifications_definition
from services.tasks.config import Settings as TasksSettings
from services.tasks.main import definition as tasks_definition
from tests.support.events import raw_event

PREFIX = "poison."


def apps(directory) -> dict[str, Callable[[], Wired]]:
    def database(name: str) -> str:
        return f"sqlite:///{directory / (name + '.db')}"

    def build(settings, definition) -> Wired:
        return bootstrap(settings, definition, producer=InMemoryProducer())

    common = {"environment": "test", "topic_prefix": PREFIX}
    return {
        "members": lambda: build(MembersSettings(database_url=database("members"), **common), members_definition()),
        "tasks": lambda: build(TasksSettings(database_url=database("tasks"), **common), tasks_definition()),
        "matching": lambda: build(MatchingSettings(database_url=database("matching"), **common), matching_definition()),
        "notifications": lambda: build(
            NotificationsSettings(database_url=database("notifications"), **common), notifications_definition()
        ),
        "gateway": lambda: _gateway(database("gateway"), common),
    }


def _gateway(database_url: str, common: dict) -> Wired:
    """The gateway binds its live reader to the event loop it is built in, as under uvicorn."""
    settings = GatewaySettings(database_url=database_url, live_updates=True, **common)

    async def build() -> Wired:
        return bootstrap(settings, gateway_definition(settings), producer=InMemoryProducer())

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(build())
    finally:
        loop.close()


@dataclass(frozen=True)
class Poison:
    kind: str
    value: bytes


def poisons(base_topic: str, handled: list[str]) -> Iterator[Poison]:
    yield Poison("invalid JSON", b'{"event_id": "not closed')
    yield Poison("not UTF-8", b"\xff\xfe\xfa not text at all")
    yield Poison("an envelope without its fields", b'{"data": {}}')
    yield Poison("an unknown type", raw_event("nobody.knows_this", {"anything": 1}))
    # A well-formed event of the topic's first type, padded past the limit: refused unread.
    first = next(iter(CATALOGUE[base_topic].events))
    yield Poison("oversized", raw_event(first, {"padding": "x" * (MAX_EVENT_BYTES + 1)}))
    if handled:  # a type the consumer ignores is skipped whatever it holds: it reads nothing of it
        yield Poison("a payload missing its fields", raw_event(handled[0], {"unexpected": True}))
        yield Poison("an unknown version", raw_event(handled[0], {}, version=99))


def record(topic: str, value: bytes, offset: int) -> ConsumerRecord:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        leader_epoch=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=str(uuid.uuid4()).encode(),
        value=value,
        headers=[],
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        serialized_header_size=0,
    )


@pytest.mark.parametrize("app", ["members", "tasks", "matching", "notifications", "gateway"])
def test_every_consumer_dead_letters_every_kind_of_poison_with_the_reason_and_goes_on(tmp_path, app):
    wired = apps(tmp_path)[app]()
    producer: InMemoryProducer = wired.runtime.producer
    checked = []
    try:
        assert wired.consumers(), f"{app} has no consumers to check"
        for name, consume in wired.consumers().items():
            applier = wired.applier(name)
            subscription = consume.subscription
            for topic in subscription.topics:
                base = subscription.names.base(topic)
                handled = [t for t in CATALOGUE[base].events if t in subscription.reactions]
                for offset, poison in enumerate(poisons(base, handled)):
                    before = len(producer.on(dead_letter_topic(topic)))

                    outcome = applier.apply(record(topic, poison.value, offset))

                    assert outcome == "dead_lettered", (app, name, topic, poison.kind, outcome)
                    letters = producer.on(dead_letter_topic(topic))
                    assert len(letters) == before + 1, (app, name, topic, poison.kind)
                    headers = {key: value.decode() for key, value in letters[-1].headers}
                    assert headers["dlt.consumer"] == f"{wired.runtime.settings.service_name}.{name}"
                    assert headers["dlt.reason"], (app, name, poison.kind)
                    assert letters[-1].value == poison.value
                    checked.append((name, base, poison.kind))
    finally:
        wired.runtime.shutdown()
    # Every consumer was fed every kind that applies to it, and none stopped on the way.
    assert {name for name, _, _ in checked} == set(wired.consumers())


def test_a_reason_says_what_was_wrong(tmp_path):
    wired = apps(tmp_path)["tasks"]()
    try:
        applier = wired.applier("offer-outcomes")
        topic = wired.consumers()["offer-outcomes"].subscription.topics[0]
        for offset, value in enumerate(
            [
                b"\xff\xfe",
                b'{"type": "' + b"x" * (MAX_EVENT_BYTES + 1) + b'"}',
                raw_event("nobody.knows_this", {}),
                raw_event("offer.accepted", {}, 99),
            ]
        ):
            applier.apply(record(topic, value, offset))
        reasons = [
            dict(letter.headers)["dlt.reason"].decode()
            for letter in wired.runtime.producer.on(dead_letter_topic(topic))
        ]
    finally:
        wired.runtime.shutdown()

    assert "not a valid event envelope" in reasons[0]
    assert f"over the {MAX_EVENT_BYTES} an event may have" in reasons[1]
    assert "'nobody.knows_this' is not in the catalogue" in reasons[2]
    assert "offer.accepted version 99 is not supported" in reasons[3]
