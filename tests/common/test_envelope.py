from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.common.contracts import MemberState, MemberStatus, SkillClaim, SkillLevel
from services.common.envelope import Envelope, MalformedEvent, wrap


def test_an_envelope_round_trips_through_bytes():
    state = MemberState(
        member_id=uuid4(),
        status=MemberStatus.active,
        skills=[SkillClaim(skill="graphic-design", level=SkillLevel.expert)],
    )
    envelope = wrap("member.registered", state, source="members")
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert MemberState.model_validate(again.data) == state


def test_consumers_ignore_fields_they_do_not_know():
    raw = (
        b'{"event_id": "%s", "type": "member.updated", "version": 2, "occurred_at": "2026-01-01T00:00:00Z",'
        b' "source": "members", "data": {"member_id": "%s", "status": "active", "shoe_size": 42},'
        b' "future_field": true}'
    ) % (str(uuid4()).encode(), str(uuid4()).encode())
    envelope = Envelope.from_bytes(raw)
    assert envelope.version == 2
    assert MemberState.model_validate(envelope.data).status is MemberStatus.active


@pytest.mark.parametrize(
    "raw", [b"not json", b"{}", b'{"type": "Bad Type", "source": "x", "data": {}}', b"[1,2]", None]
)
def test_unreadable_messages_are_reported_as_malformed(raw):
    with pytest.raises(MalformedEvent):
        Envelope.from_bytes(raw)


def test_event_types_are_entity_dot_past_tense():
    with pytest.raises(ValueError):
        Envelope(type="PostTask", source="tasks", data={})
    assert Envelope(type="task.posted", source="tasks", data={}).occurred_at <= datetime.now(UTC)
