"""Who came, through GraphQL against the running services: the coordinator marks a volunteer who
accepted once the task has ended, the volunteer sees their own count, another volunteer can say they
could not come, and the coordinator downloads monthly counts with no names."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.kafka

ATTENDANCE = "query($t: ID!) { taskAttendance(taskId: $t) { ended volunteers { memberId presence minutes markedBy } } }"
MARK = (
    "mutation($t: ID!, $m: ID!, $p: Presence!, $min: Int) { markAttendance(taskId: $t, memberId: $m, "
    "presence: $p, minutes: $min) { __typename ... on AttendanceMark { presence minutes markedBy } "
    "... on Problem { message } } }"
)
COULD_NOT_COME = (
    "mutation($t: ID!) { couldNotCome(taskId: $t) { __typename ... on AttendanceMark { presence markedBy } "
    "... on Problem { message } } }"
)
MINE = "{ myVolunteering { tasksAttended minutes noShows excused } }"
HISTORY = "{ myVolunteering { history { taskId title timeZone presence minutes markedBy } } }"
EXPORT = (
    "mutation($o: ID, $since: String) { exportAttendanceWithNames(organizationId: $o, since: $since) { "
    "__typename ... on AttendanceExport { csv rows namesRead } ... on Problem { message } } }"
)
AUDIT = "{ myAuditLog { action actorRole purpose } }"
TOTALS = (
    "query($o: ID) { attendanceTotals(organizationId: $o) { __typename ... on AttendanceTotals { "
    "months { month tasks attended excused minutes } csv } ... on Problem { message } } }"
)


def took_place(stack, task_id: str, hours_ago: float = 1, hours: float = 2) -> None:
    """Move the task into the past, as if it had taken place (a task cannot be posted in the past)."""
    end = datetime.now(UTC) - timedelta(hours=hours_ago)
    engine = create_engine(stack.tasks_database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE task SET starts_at = :s, ends_at = :e, scheduled_at = :s WHERE id = :id"),
            {"s": end - timedelta(hours=hours), "e": end, "id": uuid.UUID(task_id).hex},
        )
    engine.dispose()


def test_a_coordinator_marks_who_came_and_the_volunteers_see_their_own_count(stack, world, graphql):
    skill, coordinator = world.skill(), world.coordinator()
    came, could_not = world.volunteer(skill), world.volunteer(skill)
    task = world.task(coordinator, skill, slots=2)
    for volunteer in (came, could_not):
        assert world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])["status"] == "ACCEPTED"

    early = graphql(MARK, {"t": task["id"], "m": came.member_id, "p": "ATTENDED"}, coordinator.token)["markAttendance"]
    assert early["__typename"] == "StateConflict" and "once the task has ended" in early["message"]

    took_place(stack, task["id"])
    marked = graphql(MARK, {"t": task["id"], "m": came.member_id, "p": "ATTENDED", "min": 150}, coordinator.token)[
        "markAttendance"
    ]
    assert marked == {"__typename": "AttendanceMark", "presence": "ATTENDED", "minutes": 150, "markedBy": "COORDINATOR"}
    said = graphql(COULD_NOT_COME, {"t": task["id"]}, could_not.token)["couldNotCome"]
    assert said == {"__typename": "AttendanceMark", "presence": "EXCUSED", "markedBy": "VOLUNTEER"}

    listed = graphql(ATTENDANCE, {"t": task["id"]}, coordinator.token)["taskAttendance"]
    assert listed["ended"] is True
    assert {(v["memberId"], v["presence"]) for v in listed["volunteers"]} == {
        (came.member_id, "ATTENDED"),
        (could_not.member_id, "EXCUSED"),
    }
    assert graphql(ATTENDANCE, {"t": task["id"]}, world.coordinator().token)["taskAttendance"] is None  # not theirs

    assert graphql(MINE, token=came.token)["myVolunteering"] == {
        "tasksAttended": 1,
        "minutes": 150,
        "noShows": 0,
        "excused": 0,
    }
    assert graphql(MINE, token=could_not.token)["myVolunteering"]["excused"] == 1

    organization_id = graphql("{ me { organizationId } }", token=coordinator.token)["me"]["organizationId"]
    totals = graphql(TOTALS, {"o": organization_id}, coordinator.token)["attendanceTotals"]
    assert totals["__typename"] == "AttendanceTotals"
    [month] = [m for m in totals["months"] if m["attended"] or m["excused"]]
    assert (month["tasks"], month["attended"], month["excused"], month["minutes"]) == (1, 1, 1, 150)
    header, *rows = totals["csv"].splitlines()
    assert header == "month,tasks,attended,no_shows,excused,hours" and f"{month['month']},1,1,0,1,2.5" in rows
    for secret in (came.member_id, could_not.member_id, came.email):
        assert secret not in str(totals)
    refused = graphql(TOTALS, {"o": organization_id}, world.coordinator().token)["attendanceTotals"]
    assert refused["__typename"] == "NotAllowed"

    [given] = graphql(HISTORY, token=came.token)["myVolunteering"]["history"]
    assert given == {
        "taskId": task["id"],
        "title": task["title"],
        "timeZone": "America/Toronto",
        "presence": "ATTENDED",
        "minutes": 150,
        "markedBy": "COORDINATOR",
    }

    assert not [e for e in graphql(AUDIT, token=came.token)["myAuditLog"] if e["action"] == "name.read"]
    exported = graphql(EXPORT, {"o": organization_id, "since": month["month"]}, coordinator.token)
    exported = exported["exportAttendanceWithNames"]
    assert (exported["__typename"], exported["rows"], exported["namesRead"]) == ("AttendanceExport", 2, 2)
    header, *lines = exported["csv"].splitlines()
    assert header == "month,date,task,volunteer,attendance,hours"
    assert sorted(line.split(",")[3:] for line in lines) == [
        ["Amina Diallo", "attended", "2.5"],
        ["Amina Diallo", "excused", "0.0"],
    ]
    assert came.email not in exported["csv"]  # names only, no contact
    [told] = [e for e in graphql(AUDIT, token=came.token)["myAuditLog"] if e["action"] == "name.read"]
    assert told == {"action": "name.read", "actorRole": "coordinator", "purpose": "attendance_export"}
    other = graphql(EXPORT, {"o": organization_id}, world.coordinator().token)["exportAttendanceWithNames"]
    assert other["__typename"] == "NotAllowed"
    bad = graphql(EXPORT, {"o": organization_id, "since": "last year"}, coordinator.token)["exportAttendanceWithNames"]
    assert bad["__typename"] == "ValidationProblem" and "YYYY-MM" in bad["message"]
