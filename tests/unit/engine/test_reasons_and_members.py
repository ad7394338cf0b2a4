"""The reasons shown on an offer (as data), and keeping the engine's members up to date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.common.contracts import (
    AreaState,
    Fluency,
    OfferReason,
    Reach,
    ReasonKind,
    SkillLevel,
    TimeWindow,
    Weekday,
)
from services.matching.engine import MemberLoad
from services.matching.engine.reasons import FreeWindow, Reason

from .factories import NOW, SATURDAY, at, candidate_ids, engine_with, member, task, window


def reasons_of(engine, task_state, **kwargs) -> list[Reason]:
    (found,) = engine.candidates(task_state, now=NOW, limit=1, **kwargs)
    return found.reasons


def free(*windows: tuple[datetime, datetime], **params) -> Reason:
    return Reason(kind=ReasonKind.free_time, windows=tuple(FreeWindow(a, b) for a, b in windows), **params)


def test_reasons_name_the_skill_level_the_shared_language_and_the_free_window():
    lawyer = member(
        skills={"legal-knowledge": SkillLevel.expert},
        languages={"en": Fluency.fluent, "fr": Fluency.fluent},
        windows=[window(Weekday.saturday, "10:00", "14:00")],
    )
    engine = engine_with(lawyer)
    clinic = task(skills={"legal-knowledge": SkillLevel.capable}, languages=("fr",))

    reasons = reasons_of(engine, clinic)

    assert reasons == [
        Reason(kind=ReasonKind.skill, skill="legal-knowledge", level=SkillLevel.expert),
        Reason(kind=ReasonKind.language, language="fr", fluency=Fluency.fluent),
        free((at(SATURDAY, 10), at(SATURDAY, 14))),
        Reason(kind=ReasonKind.place, area="east-end", area_name="east end", own_area=True),
        Reason(kind=ReasonKind.recent_load, recent_tasks=0),
    ]


def test_free_time_travels_as_instants_in_utc():
    engine = engine_with(member(windows=[window(Weekday.saturday, "10:00", "14:00")]))

    (free_time,) = [r for r in reasons_of(engine, task()) if r.kind is ReasonKind.free_time]

    # 10:00 in Toronto in June (EDT, UTC-4)
    assert free_time.windows[0].start == datetime(2026, 6, 6, 14, 0, tzinfo=UTC)
    assert free_time.windows[0].start.tzinfo is UTC


def test_a_window_free_until_midnight_ends_at_the_next_midnight():
    engine = engine_with(member(windows=[window(Weekday.saturday, "20:00", "00:00")]))
    late = task(starts_at=at(SATURDAY, 20), hours=6)

    (free_time,) = [r for r in reasons_of(engine, late) if r.kind is ReasonKind.free_time]

    assert free_time.windows[0] == FreeWindow(at(SATURDAY, 20), at(date(2026, 6, 7), 0))
    assert free_time.share_percent == 66


def test_reasons_show_the_part_of_the_task_the_member_covers():
    engine = engine_with(member(windows=[window(Weekday.saturday, "12:00", "18:00")]))

    assert free((at(SATURDAY, 12), at(SATURDAY, 14)), share_percent=50) in reasons_of(engine, task(hours=4))


def test_reasons_list_two_free_stretches_and_say_there_are_more():
    sunday, monday = date(2026, 6, 7), date(2026, 6, 8)
    engine = engine_with(member(windows=[window(day, "09:00", "10:00") for day in Weekday]))

    reasons = reasons_of(engine, task(starts_at=at(SATURDAY, 9), hours=50))

    expected = free((at(SATURDAY, 9), at(SATURDAY, 10)), (at(sunday, 9), at(sunday, 10)), more_windows=True)
    assert expected in reasons
    assert at(monday, 9) not in [w.start for r in reasons for w in r.windows]


def test_reasons_prefer_the_members_most_fluent_shared_language():
    speaker = member(languages={"es": Fluency.basic, "pt": Fluency.conversational})
    engine = engine_with(speaker)

    expected = Reason(kind=ReasonKind.language, language="pt", fluency=Fluency.conversational)
    assert expected in reasons_of(engine, task(languages=("es", "pt")))


def test_reasons_for_a_remote_flexible_task():
    engine = engine_with(member(remote_ok=True))
    website_fix = task(
        skills={"website-maintenance": SkillLevel.learning},
        flexible=True,
        deadline=at(SATURDAY, 18),
        remote=True,
        area=None,
    )
    engine.upsert_member(member(skills={"website-maintenance": SkillLevel.capable}, remote_ok=True, area=None))

    reasons = reasons_of(engine, website_fix, loads={})

    assert reasons[0] == Reason(kind=ReasonKind.skill, skill="website-maintenance", level=SkillLevel.capable)
    assert free((at(SATURDAY, 9), at(SATURDAY, 17)), before_deadline=True) in reasons
    assert Reason(kind=ReasonKind.remote) in reasons
    assert not [r for r in reasons if r.kind is ReasonKind.place]


def test_a_member_with_recent_tasks_is_not_told_about_their_load():
    someone = member()
    engine = engine_with(someone)

    reasons = reasons_of(engine, task(), loads={someone.member_id: MemberLoad(recent_tasks=2)})

    assert not [r for r in reasons if r.kind is ReasonKind.recent_load]


def test_every_field_of_an_engine_reason_travels_in_the_offer_events_reason():
    engine = engine_with(member(area="downtown", windows=[window(Weekday.saturday, "12:00", "18:00")]))
    engine.upsert_area(AreaState(slug="downtown", name="Downtown", latitude=43.256, longitude=-79.869))
    engine.upsert_area(AreaState(slug="east-end", name="East End", latitude=43.24, longitude=-79.76))
    engine.upsert_member(
        member(area="downtown", reach=Reach(km=30), windows=[window(Weekday.saturday, "12:00", "18:00")])
    )

    reasons = reasons_of(engine, task(languages=("en",)))

    assert set(Reason._fields) | {"text"} == set(OfferReason.model_fields)
    for reason in reasons:
        carried = OfferReason.model_validate(reason, from_attributes=True)
        assert {name: getattr(carried, name) for name in Reason._fields} == {
            **reason._asdict(),
            "windows": [TimeWindow(start=w.start, end=w.end) for w in reason.windows],
        }


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
    assert found.reasons[0] == Reason(kind=ReasonKind.skill, skill="translation", level=SkillLevel.learning)
