"""Who came: after a task ends, whoever manages it marks each volunteer who accepted it attended,
no-show or excused; a volunteer may say they could not come; the unmarked count as attended after
72 hours; volunteers see their own count, managers totals per month with no names."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from services.common.contracts import AttendanceMarked, Presence
from services.common.db import session_scope
from services.common.dispatch import Tombstone
from services.common.envelope import Envelope
from services.tasks.attendance_models import Attendance
from services.tasks.attendance_retention import reduce_to_counts
from services.tasks.consumers import member_erased
from services.tasks.models import Task, TaskAcceptance
from tests.support.service_tokens import signed_headers
from tests.support.tasks_app import ADMIN, coordinator, new_organization, post_task, volunteer
from tests.support.topic_reading import read_topic
from tests.tasks.test_committees import coalition


def ended(client, task: dict, hours_ago: float, hours: float = 3) -> dict:
    """The task as if it had taken place: it ended ``hours_ago`` (it was posted for the future)."""
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)
    with session_scope(client.app.state.runtime.engine) as session:
        row = session.get(Task, uuid.UUID(task["id"]))
        row.starts_at, row.ends_at, row.scheduled_at = end - timedelta(hours=hours), end, end - timedelta(hours=hours)
        session.add(row)
    return task


def accepted(client, task: dict, *member_ids: str) -> None:
    """As the offers consumer records it when matching says a volunteer accepted."""
    with session_scope(client.app.state.runtime.engine) as session:
        for member_id in member_ids:
            session.add(
                TaskAcceptance(task_id=uuid.UUID(task["id"]), member_id=uuid.UUID(member_id), offer_id=uuid.uuid4())
            )


def mark(client, task: dict, member_id: str, headers, **body):
    return client.put(f"/tasks/{task['id']}/attendance/{member_id}", json=body, headers=headers)


def members(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def test_the_coordinator_marks_who_came_after_the_task_and_not_before(sqlite_client):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization)
    came, stayed_home, fell_ill = members(3)
    accepted(sqlite_client, task, came, stayed_home, fell_ill)
    early = mark(sqlite_client, task, came, organization.coordinator, presence="attended")
    assert early.status_code == 409 and "once the task has ended" in early.text

    ended(sqlite_client, task, hours_ago=1)
    assert (
        mark(sqlite_client, task, came, organization.coordinator, presence="attended", minutes=150).status_code == 200
    )
    assert mark(sqlite_client, task, stayed_home, organization.coordinator, presence="no_show").status_code == 200
    said = mark(sqlite_client, task, fell_ill, volunteer(fell_ill), presence="excused")
    assert said.status_code == 200 and said.json()["marked_by"] == "volunteer"

    listed = sqlite_client.get(f"/tasks/{task['id']}/attendance", headers=organization.coordinator).json()
    assert listed["ended"] is True
    assert {(v["member_id"], v["presence"], v["minutes"], v["marked_by"]) for v in listed["volunteers"]} == {
        (came, "attended", 150, "coordinator"),
        (stayed_home, "no_show", 0, "coordinator"),
        (fell_ill, "excused", 0, "volunteer"),
    }
    stranger = mark(sqlite_client, task, str(uuid.uuid4()), organization.coordinator, presence="attended")
    assert stranger.status_code == 404  # only volunteers who accepted (and did not withdraw)
    assert mark(sqlite_client, task, came, organization.coordinator, presence="late").status_code == 422
    assert (
        mark(sqlite_client, task, came, organization.coordinator, presence="attended", minutes=24 * 60 + 1).status_code
        == 422
    )


def test_a_volunteer_speaks_only_for_themself_and_only_to_say_they_could_not_come(sqlite_client):
    organization = new_organization(sqlite_client)
    task = post_task(sqlite_client, organization)
    alma, bao = members(2)
    accepted(sqlite_client, task, alma, bao)
    not_yet = mark(sqlite_client, task, alma, volunteer(alma), presence="excused")
    assert not_yet.status_code == 409 and "withdraw" in not_yet.text  # before it begins: step back instead

    ended(sqlite_client, task, hours_ago=1)
    assert mark(sqlite_client, task, alma, volunteer(alma), presence="attended").status_code == 403
    assert mark(sqlite_client, task, bao, volunteer(alma), presence="excused").status_code == 403
    assert sqlite_client.get(f"/tasks/{task['id']}/attendance", headers=volunteer(alma)).status_code == 403

    assert mark(sqlite_client, task, alma, organization.coordinator, presence="attended").status_code == 200
    overruled = mark(sqlite_client, task, alma, volunteer(alma), presence="excused")
    assert overruled.status_code == 409 and "ask the task's coordinator" in overruled.text
    assert mark(sqlite_client, task, bao, organization.coordinator, presence="no_show").status_code == 200
    assert mark(sqlite_client, task, bao, volunteer(bao), presence="excused").status_code == 200  # they tell why


def test_the_unmarked_count_as_attended_after_72_hours_and_volunteers_see_their_own_count(sqlite_client):
    organization = new_organization(sqlite_client)
    long_ago = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=73, hours=2)
    yesterday = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=24, hours=3)
    missed = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=100)
    alma, bao = members(2)
    for task in (long_ago, yesterday, missed):
        accepted(sqlite_client, task, alma)
    assert mark(sqlite_client, missed, alma, organization.coordinator, presence="no_show").status_code == 200

    record = sqlite_client.get(f"/members/{alma}/attendance", headers=volunteer(alma))
    assert record.status_code == 200
    assert {key: value for key, value in record.json().items() if key != "history"} == {
        "member_id": alma,
        "tasks_attended": 1,
        "minutes": 120,
        "no_shows": 1,
        "excused": 0,
    }
    [shown] = [v for v in sqlite_client.get(f"/tasks/{long_ago['id']}/attendance", headers=ADMIN).json()["volunteers"]]
    assert (shown["presence"], shown["marked_by"]) == ("attended", "assumed")
    assert sqlite_client.get(f"/members/{alma}/attendance", headers=volunteer(bao)).status_code == 403
    assert sqlite_client.get(f"/members/{alma}/attendance", headers=organization.coordinator).status_code == 403


def test_totals_per_month_hold_counts_only_for_those_who_manage_the_scope(sqlite_client):
    world = coalition(sqlite_client)
    organization = world.organization
    task = ended(sqlite_client, world.task, hours_ago=80, hours=2)
    other = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=80, hours=4)
    alma, bao, chen = members(3)
    accepted(sqlite_client, task, alma, bao)
    accepted(sqlite_client, other, chen)
    assert mark(sqlite_client, task, bao, world.lead, presence="no_show").status_code == 200

    by_organization = sqlite_client.get(
        "/attendance/totals", params={"organization_id": organization.id}, headers=organization.coordinator
    )
    assert by_organization.status_code == 200, by_organization.text
    [month] = by_organization.json()["months"]
    assert (month["tasks"], month["attended"], month["no_shows"], month["minutes"]) == (2, 2, 1, 120 + 240)
    for secret in (alma, bao, chen):
        assert secret not in by_organization.text

    by_committee = sqlite_client.get(
        "/attendance/totals", params={"committee_id": world.committee["id"]}, headers=world.lead
    ).json()
    assert [(m["tasks"], m["attended"], m["no_shows"]) for m in by_committee["months"]] == [(1, 1, 1)]
    assert (
        sqlite_client.get(
            "/attendance/totals", params={"organization_id": organization.id}, headers=world.lead
        ).status_code
        == 403
    )
    assert (
        sqlite_client.get(
            "/attendance/totals",
            params={"committee_id": world.committee["id"]},
            headers=world.roles["lead of another committee"],
        ).status_code
        == 403
    )
    assert (
        sqlite_client.get(
            "/attendance/totals", params={"committee_id": world.committee["id"]}, headers=coordinator()
        ).status_code
        == 403
    )
    both = sqlite_client.get(
        "/attendance/totals",
        params={"organization_id": organization.id, "committee_id": world.committee["id"]},
        headers=ADMIN,
    )
    assert both.status_code == 422
    assert (
        sqlite_client.get(
            "/attendance/totals",
            params={"organization_id": organization.id},
            headers=signed_headers("tasks", "volunteer", alma),
        ).status_code
        == 403
    )


def test_an_erased_member_s_marks_go_with_them(sqlite_client):
    organization = new_organization(sqlite_client)
    task = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=1)
    alma, bao = members(2)
    accepted(sqlite_client, task, alma, bao)
    for member_id in (alma, bao):
        assert mark(sqlite_client, task, member_id, organization.coordinator, presence="attended").status_code == 200

    with session_scope(sqlite_client.app.state.runtime.engine) as session:
        member_erased(session, Tombstone(topic="members.state", key=alma, partition=0))

    with session_scope(sqlite_client.app.state.runtime.engine) as session:
        assert {row.member_id for row in session.exec(select(Attendance))} == {uuid.UUID(bao)}


def test_after_a_year_who_was_where_is_reduced_to_counts_that_keep_every_total(sqlite_client):
    world = coalition(sqlite_client)
    organization = world.organization
    old = ended(sqlite_client, world.task, hours_ago=366 * 24, hours=2)
    recent = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=80, hours=1)
    alma, bao = members(2)
    accepted(sqlite_client, old, alma, bao)
    accepted(sqlite_client, recent, alma)
    assert mark(sqlite_client, old, bao, world.lead, presence="no_show").status_code == 200

    def counts():
        record = sqlite_client.get(f"/members/{alma}/attendance", headers=volunteer(alma)).json()
        record.pop("history")  # the tasks themselves go: see below
        by_organization = sqlite_client.get(
            "/attendance/totals", params={"organization_id": organization.id}, headers=organization.coordinator
        ).json()["months"]
        by_committee = sqlite_client.get(
            "/attendance/totals", params={"committee_id": world.committee["id"]}, headers=world.lead
        ).json()["months"]
        return record, by_organization, by_committee

    before = counts()
    with session_scope(sqlite_client.app.state.runtime.engine) as session:
        reduced = reduce_to_counts(
            session, datetime.now(UTC), keep=timedelta(days=365), assumed_after=timedelta(hours=72)
        )
    assert reduced == 1
    assert counts() == before  # the same figures, from counts now
    assert before[0] | {"member_id": None} == {
        "member_id": None,
        "tasks_attended": 2,
        "minutes": 180,
        "no_shows": 0,
        "excused": 0,
    }
    history = sqlite_client.get(f"/members/{alma}/attendance", headers=volunteer(alma)).json()["history"]
    assert [given["task_id"] for given in history] == [recent["id"]]  # the old task is a count now, not a line

    with session_scope(sqlite_client.app.state.runtime.engine) as session:
        left = {
            (row.task_id, row.member_id)
            for row in session.exec(select(TaskAcceptance))
            if str(row.task_id) in (old["id"], recent["id"])
        }
        assert left == {(uuid.UUID(recent["id"]), uuid.UUID(alma))}  # nobody is listed at the old task any more
        assert [row.task_id for row in session.exec(select(Attendance)) if str(row.task_id) == old["id"]] == []
        member_erased(session, Tombstone(topic="members.state", key=alma, partition=0))
    erased = sqlite_client.get(f"/members/{alma}/attendance", headers=volunteer(alma)).json()
    assert (erased["tasks_attended"], erased["minutes"]) == (0, 0)  # erasure takes the counts too


@pytest.mark.kafka
def test_each_mark_is_published_for_matching_keyed_by_member_with_ids_only(
    sqlite_client, sqlite_settings, kafka_bootstrap
):
    organization = new_organization(sqlite_client)
    task = ended(sqlite_client, post_task(sqlite_client, organization), hours_ago=2)
    stayed_home, fell_ill = members(2)
    accepted(sqlite_client, task, stayed_home, fell_ill)
    assert mark(sqlite_client, task, stayed_home, organization.coordinator, presence="no_show").status_code == 200
    assert mark(sqlite_client, task, fell_ill, volunteer(fell_ill), presence="excused").status_code == 200
    # On second thought: they did come, late.
    assert mark(sqlite_client, task, stayed_home, organization.coordinator, presence="attended").status_code == 200

    records = read_topic(kafka_bootstrap, sqlite_settings.topics.attendance_events, lambda rs: len(rs) >= 3)
    facts = [(record.key.decode(), Envelope.from_bytes(record.value)) for record in records]
    assert {envelope.type for _, envelope in facts} == {"attendance.marked"}
    marks = [(key, AttendanceMarked.model_validate(envelope.data)) for key, envelope in facts]
    assert all(key == str(fact.member_id) and str(fact.task_id) == task["id"] for key, fact in marks)
    of_stayed_home = [fact.presence for key, fact in marks if key == stayed_home]
    assert of_stayed_home == [Presence.no_show, Presence.attended]  # in order: one member's marks share a partition
    assert [fact.presence for key, fact in marks if key == fell_ill] == [Presence.excused]
    assert marks[0][1].task_ended_at == datetime.fromisoformat(
        sqlite_client.get(f"/tasks/{task['id']}", headers=ADMIN).json()["ends_at"]
    ).astimezone(UTC)
    assert task["title"].encode() not in b"".join(record.value for record in records)


def test_a_volunteer_sees_the_tasks_they_gave_time_to_newest_first(sqlite_client):
    organization = new_organization(sqlite_client)
    older = ended(sqlite_client, post_task(sqlite_client, organization, title="Sort the food bank"), hours_ago=100)
    newer = ended(sqlite_client, post_task(sqlite_client, organization, title="Rally signs"), hours_ago=2, hours=1)
    upcoming = post_task(sqlite_client, organization, title="Next week's clinic")
    alma, bao = members(2)
    accepted(sqlite_client, older, alma)
    accepted(sqlite_client, newer, alma, bao)
    accepted(sqlite_client, upcoming, alma)
    assert (
        mark(sqlite_client, newer, alma, organization.coordinator, presence="attended", minutes=45).status_code == 200
    )

    history = sqlite_client.get(f"/members/{alma}/attendance", headers=volunteer(alma)).json()["history"]
    assert [(given["title"], given["presence"], given["minutes"], given["marked_by"]) for given in history] == [
        ("Rally signs", "attended", 45, "coordinator"),
        ("Sort the food bank", "attended", 180, "assumed"),
    ]
    assert history[0]["time_zone"] == "America/Toronto" and history[0]["ends_at"] > history[1]["ends_at"]
    assert bao not in str(history)  # only their own


def test_records_by_member_are_for_those_who_manage_the_scope_and_bounded_by_month(sqlite_client):
    world = coalition(sqlite_client)
    task = ended(sqlite_client, world.task, hours_ago=80, hours=2)
    alma, bao = members(2)
    accepted(sqlite_client, task, alma, bao)
    assert mark(sqlite_client, task, bao, world.lead, presence="no_show").status_code == 200
    month = datetime.fromisoformat(sqlite_client.get(f"/tasks/{task['id']}", headers=ADMIN).json()["ends_at"]).strftime(
        "%Y-%m"
    )

    found = sqlite_client.get(
        "/attendance/records",
        params={"committee_id": world.committee["id"], "since": month, "until": month},
        headers=world.lead,
    )
    assert found.status_code == 200, found.text
    assert sorted((r["member_id"], r["presence"], r["minutes"], r["month"]) for r in found.json()["records"]) == sorted(
        [(alma, "attended", 120, month), (bao, "no_show", 0, month)]
    )
    later = sqlite_client.get(
        "/attendance/records", params={"committee_id": world.committee["id"], "since": "2999-01"}, headers=world.lead
    )
    assert later.json()["records"] == []
    bad = sqlite_client.get(
        "/attendance/records", params={"committee_id": world.committee["id"], "since": "2026-13"}, headers=world.lead
    )
    assert bad.status_code == 422 and "YYYY-MM" in bad.text
    assert (
        sqlite_client.get(
            "/attendance/records", params={"organization_id": world.organization.id}, headers=world.lead
        ).status_code
        == 403
    )
