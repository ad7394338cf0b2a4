"""Loading a whole membership with indexing deferred (as the members topic replay does) ends in
exactly the engine that indexing each update as it came would have built."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import MemberStatus, SkillLevel
from services.matching.engine import MatchingEngine

from .factories import NOW, TORONTO, candidate_ids, member, task
from .test_properties import bounded, members, tasks


@st.composite
def histories(draw):
    """Updates as a compacted topic not yet compacted holds them: members, some of them several
    times with other states, and tombstones (None) for some, sometimes followed by a return."""
    crowd = draw(st.lists(members, min_size=1, max_size=12, unique_by=lambda m: m.member_id))
    updates = [(m.member_id, m) for m in crowd]
    for _ in range(draw(st.integers(0, 12))):
        member_id = draw(st.sampled_from(crowd)).member_id
        if draw(st.booleans()):
            updates.append((member_id, None))
        else:
            updates.append((member_id, draw(members).model_copy(update={"member_id": member_id})))
    return crowd, updates


def applied(engine: MatchingEngine, updates) -> MatchingEngine:
    for member_id, state in updates:
        if state is None:
            engine.remove_member(member_id)
        else:
            engine.upsert_member(state)
    return engine


@bounded
@given(histories(), tasks)
def test_a_deferred_load_ends_like_indexing_every_update(history, t):
    crowd, updates = history
    as_they_come = applied(MatchingEngine(tz=TORONTO), updates)
    deferred = MatchingEngine(tz=TORONTO)
    deferred.defer_indexing()
    applied(deferred, updates)
    deferred.build_index()

    assert deferred.stats() == as_they_come.stats()
    assert deferred.candidates(t, now=NOW, limit=50) == as_they_come.candidates(t, now=NOW, limit=50)
    for m in crowd:
        member_id = m.member_id
        assert deferred.get_member(member_id) == as_they_come.get_member(member_id)
        assert deferred.is_eligible(member_id, t, now=NOW) == as_they_come.is_eligible(member_id, t, now=NOW)


def test_a_question_asked_during_a_deferred_load_sees_everyone_loaded_so_far():
    early, late = member(), member(skills={"translation": SkillLevel.expert})
    engine = MatchingEngine(tz=TORONTO)
    engine.defer_indexing()
    engine.upsert_member(early)

    assert candidate_ids(engine, task()) == [early.member_id]

    engine.upsert_member(late)  # indexed as it comes from then on
    assert candidate_ids(engine, task()) == [late.member_id, early.member_id]


def test_changes_after_the_load_are_indexed_as_they_come():
    staying, pausing, leaving = member(), member(), member()
    engine = MatchingEngine(tz=TORONTO)
    engine.defer_indexing()
    for state in (staying, pausing, leaving):
        engine.upsert_member(state)
    engine.build_index()

    engine.upsert_member(pausing.model_copy(update={"status": MemberStatus.paused}))
    engine.remove_member(leaving.member_id)
    returning = member(member_id=leaving.member_id, area="west-end")
    engine.upsert_member(returning)

    assert candidate_ids(engine, task()) == [staying.member_id]
    assert candidate_ids(engine, task(area="west-end")) == [returning.member_id]
    assert engine.stats().indexed_members == 2


def test_a_member_met_several_times_in_a_load_is_held_once_in_their_last_state():
    first = member(skills={"translation": SkillLevel.learning})
    last = first.model_copy(update={"area": "west-end"})
    engine = MatchingEngine(tz=TORONTO)
    engine.defer_indexing()
    for state in (first, member(member_id=first.member_id, area="north"), last):
        engine.upsert_member(state)
    engine.build_index()

    assert len(engine) == 1
    assert engine.get_member(first.member_id) == last
    assert candidate_ids(engine, task()) == []
    assert candidate_ids(engine, task(area="west-end")) == [first.member_id]
