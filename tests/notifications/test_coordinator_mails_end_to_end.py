"""End to end: a coordinator's task fills and a volunteer withdraws, through the real stack; the
coordinator's inbox holds two discreet mails, and nothing names the volunteer or leaks the
coordinator's address to the logs or Kafka."""

from __future__ import annotations

import pytest

from tests.gateway.stack import unique
from tests.notifications.test_offer_mails import everything_on_the_topics

# Starting the stack on a loaded machine can take minutes: the session stack counts against this test.
pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]

WITHDRAW = "mutation($t: ID!) { withdrawFromTask(taskId: $t) { __typename ... on Offer { status } } }"


def test_the_coordinator_hears_that_the_task_filled_then_that_a_place_came_free(
    world,
    graphql,
    stack,
    notifications_service,
    inbox,
):
    skill = world.skill()
    coordinator = world.coordinator()
    volunteer = world.volunteer(skill, displayName="Amina Diallo")
    title = unique("Accompany a tenant to the housing tribunal")
    task = world.task(coordinator, skill, slots=1, title=title)

    accepted = world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])
    assert accepted["__typename"] == "Offer", accepted
    [filled] = inbox.wait_for(coordinator.email, timeout_s=20)
    withdrawn = graphql(WITHDRAW, {"t": task["id"]}, volunteer.token)["withdrawFromTask"]
    assert withdrawn == {"__typename": "Offer", "status": "CANCELLED_BY_VOLUNTEER"}
    mails = inbox.wait_for(coordinator.email, count=2, timeout_s=20)

    assert filled.subject == "One of your tasks is full: open your page to see which"
    assert {mail.subject for mail in mails} == {
        filled.subject,
        "A place came free on one of your tasks: open your page to see which",
    }
    for mail in mails:
        text = inbox.body(mail)["Text"]
        for secret in (title, "tribunal", "Amina", "Diallo", volunteer.email, skill):
            assert secret.lower() not in (mail.subject + mail.snippet + text).lower(), (secret, mail)
        assert f"{stack.url}/coordinator.html" in text

    for process in (notifications_service, stack.gateway):
        assert coordinator.email not in process.log_text(), f"the coordinator's address in the {process.name} log"
    on_kafka = b"\n".join(everything_on_the_topics(stack.gateway_env["KAFKA_BOOTSTRAP_SERVERS"], stack.topic_prefix))
    assert coordinator.email.encode() not in on_kafka
