"""Reading the members topic: every instance rebuilds the whole membership from it at start-up."""

from __future__ import annotations

import json
import threading
from uuid import uuid4

import pytest
from hypothesis import given, settings, strategies as st
from kafka.consumer.fetcher import ConsumerRecord

from services.common.contracts import Fluency, LanguageClaim, MemberStatus, SkillLevel
from services.common.envelope import wrap
from services.matching.directory import MemberDirectory
from services.matching.engine import ScoreWeights
from services.matching.member_feed import open_reader, replay
from services.matching.member_states import MemberEnvelope, StateReader, read_update
from tests.matching.factories import TORONTO, member

member_states = st.builds(
    lambda skills, languages, remote, limit: member(
        skills=skills, languages=languages, remote_ok=remote, max_tasks_per_month=limit,
    ),
    st.dictionaries(st.sampled_from(["legal", "design", "outreach"]), st.sampled_from(list(SkillLevel)), max_size=3),
    st.lists(st.sampled_from(["en", "es", "fr", "pt-br"]), min_size=1, max_size=3, unique=True).map(tuple),
    st.booleans(),
    st.integers(0, 10),
)


@settings(max_examples=50, deadline=None)
@given(states=st.lists(member_states, min_size=1, max_size=5))
def test_a_state_read_with_shared_parts_equals_a_fully_validated_one(states):
    reader = StateReader()
    for state in states:
        raw = wrap("member.updated", state, "members").to_bytes()
        assert reader.state(raw) == MemberEnvelope.model_validate_json(raw).data == state


def record(key: bytes | None, value: bytes | None) -> ConsumerRecord:
    return ConsumerRecord(
        topic="t.members.state", partition=0, leader_epoch=0, offset=7, timestamp=0, timestamp_type=0, key=key,
        value=value, headers=[], checksum=None, serialized_key_size=0, serialized_value_size=0, serialized_header_size=0,
    )


def test_unreadable_member_records_are_skipped_not_fatal():
    reader = StateReader()
    member_id = uuid4()
    key = str(member_id).encode()
    assert read_update(record(b"not-a-uuid", None), reader) is None
    assert read_update(record(key, b"{not json"), reader) is None
    bad_level = wrap("member.updated", member(), "members").model_dump(mode="json")
    bad_level["data"]["skills"] = [{"skill": "legal", "level": 7}]
    assert read_update(record(key, json.dumps(bad_level).encode()), reader) is None
    assert read_update(record(key, None), reader) == (member_id, None)  # a tombstone: the member was erased


def test_unknown_fields_in_a_member_state_are_ignored():
    state = member(languages=("es",))
    envelope = wrap("member.updated", state, "members").model_dump(mode="json")
    envelope["data"]["pronouns"] = "they/them"
    envelope["data"]["languages"][0]["accent"] = "caribbean"
    assert StateReader().state(json.dumps(envelope).encode()) == state


@pytest.mark.kafka
def test_a_replay_ends_with_each_member_s_latest_state_and_without_the_erased(kafka_bootstrap, matching_topics, publisher):
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
        assert replay(consumer, directory, threading.Event(), StateReader()) == 7
    finally:
        consumer.close()
    assert len(directory) == 3
    assert directory.get(kept.member_id) == kept
    assert directory.get(changed.member_id).status == MemberStatus.paused
    assert directory.get(erased.member_id) is None
    assert directory.get(later.member_id) == later
