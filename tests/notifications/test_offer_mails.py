"""End to end: a coordinator posts a task, and the eligible volunteer's inbox holds a discreet
mail about it within seconds; nothing in it, in the logs or on Kafka gives away more."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.gateway.stack import unique

# Starting five processes on a loaded machine can take minutes: the session stack counts against this test.
pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]

AUDIT = "{ myAuditLog(first: 20) { actorRole action purpose fields } }"
ADDRESS = "Palais de justice, 1 rue Notre-Dame Est"


def everything_on_the_topics(bootstrap: str, prefix: str) -> list[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        topics = [topic for topic in consumer.topics() if topic.startswith(prefix)]
        partitions = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        values: list[bytes] = []
        deadline = time.monotonic() + 30
        while any(consumer.position(p) < ends[p] for p in partitions) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                values += [(r.key or b"") + b" " + (r.value or b"") for r in records]
        return values
    finally:
        consumer.close()


def new_area(world) -> tuple[str, str]:
    slug, name = unique("area"), unique("Parc-Extension")
    result = world.gql(
        "mutation($i: AreaInput!) { createArea(input: $i) { __typename ... on Problem { message } } }",
        {"i": {"slug": slug, "name": name, "city": "Montreal"}},
        world.admin.token,
    )["createArea"]
    assert result["__typename"] == "Area", result
    return slug, name


def test_posting_a_task_puts_a_discreet_offer_in_the_eligible_volunteers_inbox_within_5_s(
    world,
    graphql,
    stack,
    notifications_service,
    inbox,
):
    skill = world.skill()
    area, area_name = new_area(world)
    french = world.volunteer(skill, area=area)
    english = world.volunteer(
        skill, area=area, languages=[{"code": "en", "fluency": "FLUENT"}, {"code": "fr", "fluency": "FLUENT"}]
    )
    bystander = world.volunteer(None, area=area)
    coordinator = world.coordinator()
    title = unique("Accompany a tenant to the housing tribunal")

    posted_at = time.monotonic()
    world.task(
        coordinator,
        skill,
        slots=2,
        title=title,
        summary="Tenant union hearing support",
        remote=False,
        area=area,
        address=ADDRESS,
    )
    [french_mail] = inbox.wait_for(french.email, timeout_s=5)
    [english_mail] = inbox.wait_for(english.email, timeout_s=5)
    print(f"offer mails in the inbox {time.monotonic() - posted_at:.2f}s after postTask")

    assert french_mail.subject == "Vous avez une nouvelle demande : ouvrez-la pour voir les détails"
    assert english_mail.subject == "You have a new request: open it to see the details"
    for mail in (french_mail, english_mail):
        text = inbox.body(mail)["Text"]
        for secret in (
            title,
            skill,
            skill.replace("-", " ").title(),
            ADDRESS,
            area,
            area_name,
            "Tenant union",
            "tribunal",
            coordinator.email,
        ):
            assert secret.lower() not in (mail.subject + mail.snippet).lower(), (secret, mail)
            assert secret.lower() not in text.lower(), (secret, text)
        assert "Solidarity Network" in text and f"{stack.url}/volunteer.html" in text
    assert inbox.messages_to(bystander.email) == []

    reads = [
        e for e in graphql(AUDIT, token=french.token)["myAuditLog"] if e["action"] == "contact.read_for_notification"
    ]
    assert reads == [
        {
            "actorRole": "notifier",
            "action": "contact.read_for_notification",
            "purpose": "notification",
            "fields": ["contacts.email"],
        }
    ]

    addresses = [person.email for person in (french, english)]
    for process in (notifications_service, stack.members, stack.matching):
        log = process.log_text()
        assert "delivery" in log or process is not notifications_service
        assert not [a for a in addresses if a in log], f"an address in the {process.name} log"
    on_kafka = b"\n".join(everything_on_the_topics(stack.gateway_env["KAFKA_BOOTSTRAP_SERVERS"], stack.topic_prefix))
    assert on_kafka and not [a for a in addresses if a.encode() in on_kafka], "an address on Kafka"
