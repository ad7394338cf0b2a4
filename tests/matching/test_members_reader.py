"""Reading the members topic: every instance rebuilds the whole membership from it at start-up."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from kafka.consumer.fetcher import ConsumerRecord

from services.common.contracts import Fluency, LanguageClaim, MemberStatus
from services.common.envelope import wrap
from services.matching.directory import MemberDirectory
from services.matching.engine import ScoreWeights
from services.matching.member_states import Unreadable, read_update
from services.matching.members_reader import open_reader, replay
from tests.matching.factories import TORONTO, member, task


def record(key: bytes | None, value: bytes | None) -> ConsumerRecord:
    """A record as kafka-python hands it over."""
    return ConsumerRecord(
        topic="t.members.state",
        partition=0,
        leader_epoch=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        headers=[],
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        serialized_header_size=0,
    )


def test_unreadable_member_records_are_reported_with_the_reason_not_fatal():
    member_id = uuid4()
    key = str(member_id).encode()
    assert isinstance(read_update(record(b"not-a-uuid", None)), Unreadable)
    assert isinstance(read_update(record(key, b"{not json")), Unreadable)
    bad_level = wrap("member.updated", member(), "members").model_dump(mode="json")
    bad_level["data"]["skills"] = [{"skill": "legal", "level": 7}]
    assert "ValidationError" in read_update(record(key, json.dumps(bad_level).encode())).reason
    future = wrap("member.updated", member(), "members").model_dump(mode="json") | {"version": 99}
    assert "version 99 is not supported" in read_update(record(key, json.dumps(future).encode())).reason
    unknown = wrap("member.updated", member(), "members").model_dump(mode="json") | {"type": "member.teleported"}
    assert "UnknownEvent" in read_update(record(key, json.dumps(unknown).encode())).reason
    assert read_update(record(key, None)) == (member_id, None)  # a tombstone: the member was erased


def test_unknown_fields_in_a_member_state_are_ignored():
    state = member(languages=("es",))
    envelope = wrap("member.updated", state, "members").model_dump(mode="json")
    envelope["data"]["pronouns"] = "they/them"
    envelope["data"]["languages"][0]["accent"] = "caribbean"
    raw = json.dumps(envelope).encode()
    assert read_update(record(str(state.member_id).encode(), raw)) == (state.member_id, state)


@pytest.mark.kafka
def test_a_replay_ends_with_each_member_s_latest_state_and_without_the_erased(
    kafka_bootstrap, matching_topics, publisher
):
    kept, changed, erased = member(), member(), member()
    for state in (kept, changed, erased):
        publisher.member(state)
    publisher.member(changed.model_copy(update={"status": MemberStatus.paused}))
    publisher.member_erased(erased.member_id)
    publisher.producer.send(publisher.topics.members_state, key=str(uuid4()).encode(), value=b"garbage")
    later = member(languages=("fr",))
    later = later.model_copy(update={"languages": [LanguageClaim(code="fr", fluency=Fluency.basic)]})
    publisher.member(later)
    publisher.flush()

    consumer = open_reader(kafka_bootstrap, publisher.topics.members_state, "test-replay")
    directory = MemberDirectory(ScoreWeights(), TORONTO)
    try:
        assert replay(consumer, directory, threading.Event()) == 7
    finally:
        consumer.close()
    assert len(directory) == 3
    assert directory.get(kept.member_id) == kept
    assert directory.get(changed.member_id).status == MemberStatus.paused
    assert directory.get(erased.member_id) is None
    assert directory.get(later.member_id) == later


@pytest.mark.kafka
def test_after_a_replay_members_are_matched_and_later_changes_are_indexed_as_they_come(
    kafka_bootstrap, matching_topics, publisher
):
    helper, pausing, leaving = member(), member(), member()
    for state in (helper, pausing, leaving, member(area="elsewhere")):
        publisher.member(state)
    publisher.flush()
    consumer = open_reader(kafka_bootstrap, publisher.topics.members_state, "test-replay-then-live")
    directory = MemberDirectory(ScoreWeights(), TORONTO)
    try:
        replay(consumer, directory, threading.Event())
    finally:
        consumer.close()
    clinic, now = task(), datetime.now(UTC)

    def matched() -> set:
        found = directory.candidates(clinic, loads={}, excluded=set(), limit=10, now=now)
        return {candidate.member_id for candidate in found}

    assert matched() == {helper.member_id, pausing.member_id, leaving.member_id}
    newcomer = member()
    directory.apply(
        [
            (pausing.member_id, pausing.model_copy(update={"status": MemberStatus.paused})),
            (leaving.member_id, None),
            (newcomer.member_id, newcomer),
        ]
    )
    assert matched() == {helper.member_id, newcomer.member_id}
