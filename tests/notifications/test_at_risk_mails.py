"""The coordinator's "task at risk" mail, through the real stack (members, tasks, matching,
gateway), the notifications service as a process and Mailpit. The check is due AT_RISK_BEFORE_S
before a task's start here (48 h by default): a task still under half filled then gets one
discreet mail to its coordinator, in their language, saying why with matching's counts; a task
filled enough, or cancelled, gets none."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from services.common.clock import as_utc
from services.common.contracts import TaskState, TaskStatus
from services.common.envelope import wrap
from services.notifications.models import Delivery, TaskSchedule
from tests.gateway.stack import unique
from tests.notifications.conftest import AT_RISK_BEFORE_S, read
from tests.notifications.test_coordinator_mails import coordinator_mails  # noqa: F401  (a fixture)
from tests.support.infra import POSTGRES_ONLY
from tests.support.processes import eventually

# Starting the stack on a loaded machine can take minutes: the session stack counts against these tests.
pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]

LEAD_S = 20  # from posting to the check: time for matching's offers and the volunteers' answers
AT_RISK = {
    "en": "One of your tasks may not fill in time: open your page to see which",
    "fr": "Une de vos tâches risque de ne pas se remplir à temps : ouvrez votre page pour voir laquelle",
}
DECLINE = "mutation($o: ID!) { declineOffer(offerId: $o) { __typename ... on Offer { status } } }"
CANCEL = "mutation($t: ID!) { cancelTask(id: $t) { __typename } }"
UPDATE = "mutation($t: ID!, $i: TaskUpdateInput!) { updateTask(id: $t, input: $i) { __typename } }"
LOCALE = "mutation($l: String!) { setLocale(locale: $l) { __typename } }"


def starting_soon() -> dict[str, str]:
    """A task whose at-risk check is due LEAD_S from now."""
    starts = datetime.now(UTC) + timedelta(seconds=AT_RISK_BEFORE_S + LEAD_S)
    return {"startsAt": starts.isoformat(), "endsAt": (starts + timedelta(hours=1)).isoformat()}


def post_offered(world, coordinator, slots: int, volunteers: int) -> tuple[dict, list, list[dict]]:
    """A task starting soon, offered to ``volunteers`` members of a skill of its own."""
    skill = world.skill()
    people = [world.volunteer(skill) for _ in range(volunteers)]
    times = starting_soon()
    task = world.task(coordinator, skill, slots=slots, title=unique("Accompany Ana Lopez to the tribunal"), **times)
    return task | times, people, [world.wait_for_offer(person, task["id"]) for person in people]


def at_risk_mails(inbox, coordinator, language: str = "en") -> list:
    return [mail for mail in inbox.messages_to(coordinator.email) if mail.subject == AT_RISK[language]]


def test_a_task_still_short_when_its_check_is_due_tells_its_coordinator_why_once_in_their_language(
    world,
    graphql,
    stack,
    notifications_service,
    inbox,
):
    english = world.coordinator()
    french = world.coordinator()
    assert graphql(LOCALE, {"l": "fr"}, french.token)["setLocale"]["__typename"] == "Viewer"
    task, people, offers = post_offered(world, english, slots=4, volunteers=3)
    french_task, french_people, french_offers = post_offered(world, french, slots=2, volunteers=1)
    assert graphql(DECLINE, {"o": offers[0]["id"]}, people[0].token)["declineOffer"]["status"] == "DECLINED"
    assert (
        graphql(DECLINE, {"o": french_offers[0]["id"]}, french_people[0].token)["declineOffer"]["status"] == "DECLINED"
    )

    [mail] = inbox.wait_for(english.email, timeout_s=LEAD_S + 30)
    [french_mail] = inbox.wait_for(french.email, timeout_s=10)

    assert mail.subject == AT_RISK["en"] and mail.snippet.startswith("One of the tasks you coordinate starts soon")
    text = inbox.body(mail)["Text"]
    for line in (
        "Places taken: 0 of 4.",
        "members who fit the task and have not been asked yet: 0",
        "members who declined: 1",
        "members who let the offer expire without answering: 0",
        "offers still waiting for an answer: 2",
        f"{stack.url}/coordinator.html",
    ):
        assert line in text, (line, text)
    assert french_mail.subject == AT_RISK["fr"]
    french_text = inbox.body(french_mail)["Text"]
    for line in (
        "Places prises : 0 sur 2.",
        "membres qui ont refusé : 1",
        "membres qui ont laissé l'offre expirer sans répondre : 0",
    ):
        assert line in french_text, (line, french_text)
    for sent, body, posted in ((mail, text, task), (french_mail, french_text, french_task)):
        for secret in (posted["title"], "Ana Lopez", "tribunal", "Amina"):  # discreet: no task, no person
            assert secret not in sent.subject + sent.snippet + body, (secret, body)

    # Once only: the task's state heard again (an edit) plans no second check.
    assert (
        graphql(UPDATE, {"t": task["id"], "i": {"summary": "Two pages, then a call"}}, english.token)["updateTask"][
            "__typename"
        ]
        == "Task"
    )
    time.sleep(3)
    assert len(at_risk_mails(inbox, english)) == 1 and len(inbox.messages_to(french.email)) == 1


def test_a_task_filled_enough_or_cancelled_before_its_check_gets_no_at_risk_mail(
    world,
    graphql,
    notifications_service,
    inbox,
):
    filling, cancelling = world.coordinator(), world.coordinator()
    half, people, offers = post_offered(world, filling, slots=2, volunteers=1)
    cancelled, _, _ = post_offered(world, cancelling, slots=2, volunteers=1)
    assert world.accept(people[0], offers[0]["id"])["status"] == "ACCEPTED"  # 1 of 2: half filled is enough
    assert graphql(CANCEL, {"t": cancelled["id"]}, cancelling.token)["cancelTask"]["__typename"] == "Task"

    # The filled one's check runs and sends nothing; the cancelled one's is never made.
    eventually(
        lambda: f"(task_at_risk) to member {filling.id}: dropped" in notifications_service.log_text(),
        LEAD_S + 30,
        message="the at-risk check of the half-filled task",
    )
    due = datetime.fromisoformat(cancelled["startsAt"]) - timedelta(seconds=AT_RISK_BEFORE_S)
    time.sleep(max((due - datetime.now(UTC)).total_seconds(), 0) + 3)
    assert at_risk_mails(inbox, filling) == [] and at_risk_mails(inbox, cancelling) == []
    assert f"(task_at_risk) to member {cancelling.id}" not in notifications_service.log_text()


def publish_task(offers, task_id, coordinator_id, starts_at: datetime, status: TaskStatus = TaskStatus.open) -> None:
    state = TaskState(
        task_id=task_id,
        organization_id=uuid.uuid4(),
        coordinator_id=coordinator_id,
        status=status,
        title="Accompany Ana Lopez to the tribunal",
        slots=2,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        time_zone="America/Toronto",
    )
    event = {TaskStatus.cancelled: "task.cancelled", TaskStatus.open: "task.updated"}[status]
    offers.producer.send(
        offers.tasks_topic, key=str(task_id).encode(), value=wrap(event, state, "tasks").to_bytes()
    ).get(30)


def check_of(database_url: str, task_id) -> Delivery | None:
    return read(
        database_url,
        lambda session: session.exec(
            select(Delivery).where(Delivery.task_id == task_id, Delivery.kind == "task_at_risk")
        ).first(),
    )


@POSTGRES_ONLY
def test_the_check_is_due_48_h_before_the_start_moves_with_the_task_and_a_cancelled_or_late_task_has_none(
    coordinator_mails,
    database_url,
    gateway,
    offers,
):
    coordinator_id, _ = gateway.coordinator()
    task_id, starts_at = uuid.uuid4(), datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    publish_task(offers, task_id, coordinator_id, starts_at)
    planned = eventually(lambda: check_of(database_url, task_id), 15, message="the at-risk check planned")
    assert (as_utc(planned.not_before), planned.status) == (starts_at - timedelta(hours=48), "queued")

    publish_task(offers, task_id, coordinator_id, starts_at + timedelta(days=1))  # the task moves a day later
    eventually(
        lambda: as_utc(check_of(database_url, task_id).not_before) == starts_at - timedelta(hours=24),
        15,
        message="the check moved with the task",
    )
    publish_task(offers, task_id, coordinator_id, starts_at + timedelta(days=1), TaskStatus.cancelled)
    eventually(lambda: check_of(database_url, task_id).status == "dropped", 15, message="the check dropped")
    assert check_of(database_url, task_id).last_error == "task cancelled"

    late = uuid.uuid4()  # posted 2 h before its start: matching had no time, and its coordinator knows it
    publish_task(offers, late, coordinator_id, datetime.now(UTC) + timedelta(hours=2))
    eventually(
        lambda: read(database_url, lambda session: session.get(TaskSchedule, late)),
        15,
        message="the late task's state read",
    )
    assert check_of(database_url, late) is None
