"""The offer lifecycle end to end on the real broker: member and task states arrive on the test's
own topics, the app runs in-process (relay, consumers, worker), and its events land on the offers
topic."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest

from services.common.contracts import Fluency, MemberStatus, SkillLevel, TaskStatus
from tests.matching.factories import SETTLE_S, member, task, with_changes
from tests.support.processes import eventually
from tests.support.topic_reading import read_events

pytestmark = pytest.mark.kafka

LEGAL = {"immigration-law": SkillLevel.capable}


@pytest.fixture
def matching(start_matching, new_database):
    return start_matching(new_database("sqlite", "matching"))


def post_members(publisher, count, **traits):
    states = [member(skills=LEGAL, languages=("es", "en"), **traits) for _ in range(count)]
    for state in states:
        publisher.member(state)
    publisher.flush()
    return states


def post_task(publisher, **fields):
    state = task(skills=LEGAL, languages=("es",), title="Legal clinic shift (Spanish)", **fields)
    publisher.task(state)
    publisher.flush()
    return state


def pending(matching, task_id, count, message="pending offers"):
    return eventually(
        lambda: (offers := matching.offers(task_id=task_id, status="pending")) and len(offers) == count and offers,
        SETTLE_S,
        message=f"{count} {message}",
    )


def events_of(kafka_bootstrap, matching, task_id):
    return [
        e
        for e in read_events(kafka_bootstrap, matching.settings.topics.offers_events)
        if e["data"]["task_id"] == str(task_id)
    ]


def events_until(kafka_bootstrap, matching, task_id, last_type):
    """The task's events once the latest one is of ``last_type`` (the relay publishes shortly after a commit)."""
    return eventually(
        lambda: (
            (events := events_of(kafka_bootstrap, matching, task_id)) and events[-1]["type"] == last_type and events
        ),
        SETTLE_S,
        message=f"{last_type} as the latest event",
    )


def test_a_new_task_gets_a_first_wave_sized_to_its_open_slots(matching, publisher, kafka_bootstrap):
    post_members(publisher, 6)
    posted = post_task(publisher, slots=2)
    offers = pending(matching, posted.task_id, 3)  # ceil(2 x 1.5)
    assert all(offer["task_title"] == "Legal clinic shift (Spanish)" for offer in offers)
    created = eventually(
        lambda: [e for e in events_of(kafka_bootstrap, matching, posted.task_id) if e["type"] == "offer.created"],
        SETTLE_S,
        message="offer.created events",
    )
    assert {e["data"]["offer_id"] for e in created} == {o["id"] for o in offers}


def test_an_offer_event_carries_its_reasons_as_data(matching, publisher, kafka_bootstrap):
    post_members(publisher, 1)
    posted = post_task(publisher, slots=1)
    (offer,) = pending(matching, posted.task_id, 1)
    (created,) = eventually(
        lambda: [e for e in events_of(kafka_bootstrap, matching, posted.task_id) if e["type"] == "offer.created"],
        SETTLE_S,
        message="the offer.created event",
    )

    assert created["version"] == 2
    reasons = created["data"]["reasons"]
    assert {"kind": "skill", "skill": "immigration-law", "level": SkillLevel.capable} in [
        {key: reason[key] for key in ("kind", "skill", "level")} for reason in reasons
    ]
    (language,) = [reason for reason in reasons if reason["kind"] == "language"]
    assert (language["language"], language["fluency"]) == ("es", Fluency.fluent)
    (free,) = [reason for reason in reasons if reason["kind"] == "free_time"]
    assert free["windows"] and all(
        datetime.fromisoformat(w["start"]).utcoffset() == timedelta(0) for w in free["windows"]
    )
    assert not [reason for reason in reasons if isinstance(reason, str)]
    # The matching API reads them the same way.
    assert [reason["kind"] for reason in offer["reasons"]] == [reason["kind"] for reason in reasons]


def test_a_declined_offer_goes_to_the_next_candidate(matching, publisher):
    post_members(publisher, 3)
    posted = post_task(publisher, slots=1)
    first, second = pending(matching, posted.task_id, 2)
    assert matching.answer(first, "decline").json()["status"] == "declined"
    offers = pending(matching, posted.task_id, 2, "offers after the decline")
    assert first["member_id"] not in {o["member_id"] for o in offers}
    assert len({o["member_id"] for o in offers} - {second["member_id"]}) == 1


def test_an_offer_nobody_answers_expires_and_goes_to_the_next_candidate(
    start_matching, new_database, publisher, kafka_bootstrap
):
    matching = start_matching(new_database("sqlite", "matching"), offer_ttl_seconds=1.5)
    post_members(publisher, 3)
    posted = post_task(
        publisher,
        slots=1,
    )
    first_wave = pending(matching, posted.task_id, 2)
    expired = eventually(lambda: matching.offers(task_id=posted.task_id, status="expired"), SETTLE_S, message="expiry")
    assert {o["id"] for o in expired} <= {o["id"] for o in first_wave}
    third = pending(matching, posted.task_id, 1, "offer to the member not asked yet")[0]
    assert third["member_id"] not in {o["member_id"] for o in first_wave}
    assert matching.answer(expired[0], "accept").json()["type"] == "/problems/offer-not-pending"


def test_a_filled_task_withdraws_the_other_offers_and_tells_their_holders(matching, publisher, kafka_bootstrap):
    post_members(publisher, 4)
    posted = post_task(publisher, slots=2)
    first, second, third = pending(matching, posted.task_id, 3)
    assert matching.answer(first, "accept").status_code == 200
    assert matching.answer(first, "accept").json()["status"] == "accepted"  # idempotent
    assert matching.answer(second, "accept").status_code == 200
    late = matching.answer(third, "accept")
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    assert late.json()["type"] == "/problems/task-filled"
    assert "just been filled" in late.json()["detail"]
    fill = matching.fill(posted.task_id)
    assert (fill["accepted"], fill["pending"]) == (2, 0)
    assert set(fill["accepted_member_ids"]) == {first["member_id"], second["member_id"]}
    events = events_until(kafka_bootstrap, matching, posted.task_id, "fill.completed")
    withdrawn = [e for e in events if e["type"] == "offer.withdrawn"]
    assert [(e["data"]["offer_id"], e["data"]["withdrawn_because"]) for e in withdrawn] == [
        (third["id"], "task filled")
    ]
    # The fill row was made (1) and took two acceptances (2, 3): its sequence says so.
    assert events[-1]["data"] == {"task_id": str(posted.task_id), "slots": 2, "accepted": 2, "sequence": 3}


def test_a_cancelled_task_withdraws_every_offer(matching, publisher):
    post_members(publisher, 4)
    posted = post_task(publisher, slots=2)
    first, *_ = pending(matching, posted.task_id, 3)
    matching.answer(first, "accept")
    publisher.task(with_changes(posted, status=TaskStatus.cancelled))
    publisher.flush()
    offers = eventually(
        lambda: (o := matching.offers(task_id=posted.task_id)) and all(x["status"] == "withdrawn" for x in o) and o,
        SETTLE_S,
        message="all withdrawn",
    )
    assert {o["withdrawn_because"] for o in offers} == {"task cancelled"}
    assert matching.fill(posted.task_id)["accepted"] == 0


def test_an_erased_member_loses_their_offers_and_the_place_is_offered_again(matching, publisher, kafka_bootstrap):
    post_members(publisher, 4)
    posted = post_task(publisher, slots=2)
    first, second, _ = pending(matching, posted.task_id, 3)
    matching.answer(first, "accept")
    publisher.member_erased(UUID(first["member_id"]))
    publisher.member_erased(UUID(second["member_id"]))
    publisher.flush()
    eventually(
        lambda: (
            {
                o["status"]
                for o in matching.offers(member_id=first["member_id"]) + matching.offers(member_id=second["member_id"])
            }
            == {"withdrawn"}
        ),
        SETTLE_S,
        message="withdrawn",
    )
    offers = pending(matching, posted.task_id, 2, "re-offers")  # two open slots again, one member left
    assert {o["member_id"] for o in offers}.isdisjoint({first["member_id"], second["member_id"]})
    types = [e["type"] for e in events_of(kafka_bootstrap, matching, posted.task_id)]
    assert types.count("offer.withdrawn") == 2


def test_a_paused_member_s_waiting_offers_are_withdrawn_and_offered_to_others(matching, publisher):
    states = post_members(publisher, 3)
    posted = post_task(publisher, slots=1)
    first, second = pending(matching, posted.task_id, 2)
    paused = next(s for s in states if str(s.member_id) == first["member_id"])
    publisher.member(with_changes(paused, status=MemberStatus.paused))
    publisher.flush()
    withdrawn = eventually(
        lambda: matching.offers(member_id=first["member_id"], status="withdrawn"), SETTLE_S, message="withdrawn"
    )
    assert withdrawn[0]["withdrawn_because"] == "member paused"
    offers = pending(matching, posted.task_id, 2, "offers after the pause")
    assert first["member_id"] not in {o["member_id"] for o in offers}


def test_a_volunteer_who_withdraws_after_accepting_frees_the_place_for_someone_else(
    matching, publisher, kafka_bootstrap
):
    post_members(publisher, 3)
    posted = post_task(publisher, slots=1)
    first, second = pending(matching, posted.task_id, 2)
    matching.answer(first, "accept")
    assert matching.fill(posted.task_id)["accepted"] == 1
    cancelled = matching.answer(first, "withdraw").json()
    assert cancelled["status"] == "cancelled_by_volunteer"
    offers = pending(matching, posted.task_id, 2, "offers for the freed place")
    assert first["member_id"] not in {o["member_id"] for o in offers}
    types = [e["type"] for e in events_until(kafka_bootstrap, matching, posted.task_id, "offer.created")]
    assert ["offer.accepted", "offer.withdrawn", "fill.completed", "offer.cancelled_by_volunteer", "fill.reopened"] == [
        t for t in types if t != "offer.created"
    ]


def test_a_member_who_joins_later_is_offered_open_tasks_with_room(matching, publisher):
    post_members(publisher, 1)
    posted = post_task(publisher, slots=2)
    pending(matching, posted.task_id, 1)
    newcomer = post_members(publisher, 1)[0]
    offers = pending(matching, posted.task_id, 2, "offers including the newcomer")
    assert str(newcomer.member_id) in {o["member_id"] for o in offers}


def test_offers_survive_a_restart_and_readiness_waits_for_every_member(start_matching, new_database, publisher):
    database = new_database("sqlite", "matching")
    first_run = start_matching(database)
    post_members(publisher, 2)
    posted = post_task(publisher, slots=1)
    offers = pending(first_run, posted.task_id, 2)
    first_run.client.__exit__(None, None, None)
    post_members(publisher, 2000, area="north")
    second_run = start_matching(database)
    assert len(second_run.matching.directory) == 2002  # ready means the whole topic was replayed
    assert {o["id"] for o in second_run.offers(task_id=posted.task_id)} == {o["id"] for o in offers}
    assert second_run.client.get("/readyz").json()["checks"]["members_replayed"] is True
