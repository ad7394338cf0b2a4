"""The reasons shown on an offer, and keeping the engine's members up to date."""

from __future__ import annotations

from datetime import date

from services.common.contracts import Fluency, SkillLevel, Weekday
from services.matching.engine import MemberLoad
from services.matching.engine.reasons import language_name, skill_words

from .factories import NOW, SATURDAY, at, candidate_ids, engine_with, member, task, window


def reasons_of(engine, task_state, **kwargs) -> list[str]:
    (found,) = engine.candidates(task_state, now=NOW, limit=1, **kwargs)
    return found.reasons


def test_reasons_name_the_skill_level_the_shared_language_and_the_free_window():
    lawyer = member(
        skills={"legal-knowledge": SkillLevel.expert},
        languages={"en": Fluency.fluent, "fr": Fluency.fluent},
        windows=[window(Weekday.saturday, "10:00", "14:00")],
    )
    engine = engine_with(lawyer)
    clinic = task(skills={"legal-knowledge": SkillLevel.capable}, languages=("fr",))

    reasons = reasons_of(engine, clinic)

    assert reasons[:3] == ["legal knowledge: expert", "speaks French", "free Saturday 10:00-14:00"]
    assert "in east end" in reasons
    assert "no recent tasks" in reasons


def test_reasons_show_the_part_of_the_task_the_member_covers():
    engine = engine_with(member(windows=[window(Weekday.saturday, "12:00", "18:00")]))

    assert "free Saturday 12:00-14:00 (50% of the task's time)" in reasons_of(engine, task(hours=4))


def test_reasons_prefer_the_members_most_fluent_shared_language():
    speaker = member(languages={"es": Fluency.basic, "pt": Fluency.conversational})
    engine = engine_with(speaker)

    assert "speaks Portuguese (conversational)" in reasons_of(engine, task(languages=("es", "pt")))


def test_reasons_for_a_remote_flexible_task():
    engine = engine_with(member(remote_ok=True))
    website_fix = task(
        skills={"website-maintenance": SkillLevel.learning}, flexible=True,
        deadline=at(SATURDAY, 18), remote=True, area=None,
    )
    engine.upsert_member(
        member(skills={"website-maintenance": SkillLevel.capable}, remote_ok=True, area=None)
    )

    reasons = reasons_of(engine, website_fix, loads={})

    assert reasons[0] == "website maintenance: capable"
    assert "free Saturday 09:00-17:00, before the deadline" in reasons
    assert "open to remote work" in reasons


def test_a_member_with_recent_tasks_is_not_told_they_have_none():
    someone = member()
    engine = engine_with(someone)

    reasons = reasons_of(engine, task(), loads={someone.member_id: MemberLoad(recent_tasks=2)})

    assert "no recent tasks" not in reasons


def test_skill_slugs_and_language_codes_read_as_words():
    assert skill_words("legal-knowledge") == "legal knowledge"
    assert skill_words("one_on_one-outreach") == "one on one outreach"
    assert language_name("ht") == "Haitian Creole"
    assert language_name("zh-Hant") == "Chinese"
    assert language_name("tl") == "Tagalog"
    assert language_name("qya") == "qya"


def test_upsert_replaces_what_the_engine_knew():
    changed = member(skills={"translation": SkillLevel.expert})
    engine = engine_with(changed)
    engine.upsert_member(member(member_id=changed.member_id, skills={"graphic-design": SkillLevel.expert}))

    assert candidate_ids(engine, task()) == []
    assert len(engine) == 1
    assert engine.get_member(changed.member_id).skills[0].skill == "graphic-design"


def test_upsert_is_idempotent():
    state = member()
    engine = engine_with(state)
    before = engine.stats()

    engine.upsert_member(state)

    assert engine.stats() == before
    assert engine.get_member(state.member_id) == state


def test_a_removed_member_is_forgotten():
    leaving, staying = member(unavailable=((date(2026, 7, 1), date(2026, 7, 2)),)), member()
    engine = engine_with(leaving, staying)

    assert engine.remove_member(leaving.member_id) is True

    assert candidate_ids(engine, task()) == [staying.member_id]
    assert engine.get_member(leaving.member_id) is None
    assert not engine.is_eligible(leaving.member_id, task(), now=NOW)
    assert engine.remove_member(leaving.member_id) is False
    assert len(engine) == 1


def test_removing_every_member_empties_the_index():
    members = [member(remote_ok=True), member(area=None), member(languages={"pt-br": Fluency.basic})]
    engine = engine_with(*members)
    for state in members:
        engine.remove_member(state.member_id)

    stats = engine.stats()
    assert (stats.members, stats.indexed_members, stats.index_entries, stats.index_postings) == (0, 0, 0, 0)


def test_a_freed_slot_is_reused_by_the_next_member_without_mixing_them_up():
    first = member(skills={"translation": SkillLevel.expert})
    engine = engine_with(first)
    engine.remove_member(first.member_id)
    second = member(skills={"translation": SkillLevel.learning})
    engine.upsert_member(second)

    (found,) = engine.candidates(task(), now=NOW, limit=5)

    assert found.member_id == second.member_id
    assert found.reasons[0] == "translation: learning"
