"""Fixtures of the notification tests: a real Mailpit, a real members service, the notifications app.

The notifications app runs in-process (on SQLite and on PostgreSQL); the members service is the real
app, served over HTTP from a thread on the same topics, so member states and the audited address
read are the real ones.
"""

from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlmodel import Session, select

from deploy import mailpit
from services.common.contracts import (
    LanguageClaim,
    MemberState,
    MemberStatus,
    NotificationPreferences,
    OfferChanged,
    OfferReason,
    OfferStatus,
    ReasonKind,
    TaskState,
    TaskStatus,
)
from services.common.db import make_engine
from services.common.envelope import Envelope, wrap
from services.common.kafka_io import ensure_topics
from services.common.topics import Topics, all_topics
from services.members.main import create_app as create_members_app
from services.notifications.config import Settings
from services.notifications.main import create_app
from services.notifications.models import Delivery
from tests.gateway.fixtures import graphql, stack, world  # noqa: F401  (one real stack per session)
from tests.gateway.stack import Stack
from tests.notifications.gateway_process import Gateway, gateway_process
from tests.notifications.mailbox import Inbox, private_mailpit
from tests.support.infra import new_postgres_database, new_sqlite_database
from tests.support.members_app import PROFILE, members_settings
from tests.support.processes import ServiceProcess, start_service
from tests.support.served import ServedApp, served
from tests.support.service_tokens import CallsAs, signed_headers

ADMIN = signed_headers("notifications", "admin", uuid.uuid4())
# The session's notifications service checks a task's fill this long before its start (48 h by
# default): only tasks starting within a minute of posting reach it, other tests' tasks never do.
AT_RISK_BEFORE_S = 30
# Why a test offer was made, as matching says it (offers.events v2).
REASONS = [
    OfferReason(kind=ReasonKind.language, language="fr"),
    OfferReason(kind=ReasonKind.place, area="glanbrook", area_name="Glanbrook", own_area=True),
]


@pytest.fixture(scope="session")
def mail_server(request) -> tuple[str, str]:
    """(SMTP host:port, HTTP URL) of the suite's Mailpit, or of one started for this session."""
    if os.environ.get("TEST_MAILPIT_SMTP") and os.environ.get("TEST_MAILPIT_URL"):
        return os.environ["TEST_MAILPIT_SMTP"], os.environ["TEST_MAILPIT_URL"]
    server = private_mailpit()
    request.config.add_cleanup(lambda: mailpit.stop(server))
    return server.smtp_host_port, server.url


@pytest.fixture(scope="session")
def inbox(mail_server) -> Inbox:
    return Inbox(mail_server[1])


@pytest.fixture
def topics(kafka_bootstrap, topic_prefix) -> Topics:
    ensure_topics(kafka_bootstrap, all_topics(topics=Topics(topic_prefix)))
    return Topics(topic_prefix)


@pytest.fixture
def members_service(kafka_bootstrap, topic_prefix, topics, tmp_path) -> Iterator[ServedApp]:
    """The real members app on the test's topics, over HTTP from a thread of the test process (its
    own process spent 10-30 s importing before it answered, for every test)."""
    settings = members_settings(new_sqlite_database(tmp_path, "members"), kafka_bootstrap, topic_prefix)
    with served(create_members_app(settings), "members") as service:
        yield service


class Members:
    """Registers members through the real members service."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=30, auth=CallsAs(signed_headers("members", "system")))

    def register(self, languages: tuple[str, ...] = ("fr",)) -> tuple[str, str]:
        """A new member; returns (member id, email address)."""
        email = f"member-{uuid.uuid4().hex[:10]}@example.org"
        profile = copy.deepcopy(PROFILE) | {
            "contacts": {"email": {"value": email, "consent": False}},
            "languages": [{"code": code, "fluency": "fluent"} for code in languages],
        }
        response = self.http.post("/members", json=profile)
        assert response.status_code == 201, response.text
        return response.json()["id"], email

    def erase(self, member_id: str) -> None:
        assert self.http.delete(f"/members/{member_id}").status_code == 204  # as the system


@pytest.fixture
def members(members_service) -> Members:
    return Members(members_service.url)


def notification_settings(
    database_url: str, bootstrap: str, prefix: str, smtp: str, members_url: str, **overrides
) -> Settings:
    host, port = smtp.rsplit(":", 1)
    values = dict(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=prefix,
        environment="test",
        members_url=members_url,
        smtp_host=host,
        smtp_port=int(port),
        public_url="http://127.0.0.1:8000",
        coalition_name="Solidarity Network",
        retry_base_seconds=0.5,
        retry_max_seconds=2,
    )
    return Settings(**(values | overrides))


@pytest.fixture
def settings(database_url, kafka_bootstrap, topic_prefix, topics, mail_server, members_service) -> Settings:
    return notification_settings(database_url, kafka_bootstrap, topic_prefix, mail_server[0], members_service.url)


@pytest.fixture
def notifications(settings) -> Iterator[TestClient]:
    """The notifications app on SQLite and on PostgreSQL (tests using it run twice)."""
    with TestClient(create_app(settings)) as client:
        yield client


class Offers:
    """Puts offer events on the test's offers topic, as the matching service does."""

    def __init__(self, bootstrap: str, topics: Topics):
        self.topic, self.tasks_topic, self.members_topic = (
            topics.offers_events,
            topics.tasks_state,
            topics.members_state,
        )
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")

    def task_scheduled(
        self,
        task_id: uuid.UUID,
        starts_at,
        ends_at,
        time_zone: str | None = None,
        title: str = "Accompany a family to a hearing",
        status: TaskStatus = TaskStatus.open,
    ) -> None:
        """The task's state on tasks.state, as the tasks service publishes it."""
        state = TaskState(
            task_id=task_id,
            organization_id=uuid.uuid4(),
            coordinator_id=uuid.uuid4(),
            status=status,
            title=title,
            slots=1,
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=time_zone,
        )
        event = "task.cancelled" if status is TaskStatus.cancelled else "task.posted"
        self.producer.send(
            self.tasks_topic, key=str(task_id).encode(), value=wrap(event, state, "tasks").to_bytes()
        ).get(30)

    def member_prefers(self, member_id: str, chosen: NotificationPreferences, languages: tuple[str, ...] = ("en",)):
        """The member's state on members.state with what they chose, as the members service publishes it."""
        state = MemberState(
            member_id=uuid.UUID(member_id),
            status=MemberStatus.active,
            notifications=chosen,
            languages=[LanguageClaim(code=code) for code in languages],
        )
        self.producer.send(
            self.members_topic, key=member_id.encode(), value=wrap("member.updated", state, "members").to_bytes()
        ).get(30)

    def accepted(self, created: Envelope) -> Envelope:
        payload = OfferChanged.model_validate(created.data).model_copy(update={"status": OfferStatus.accepted})
        return wrap("offer.accepted", payload, "matching")

    def created(self, member_id: str, expires_in_s: float = 3600) -> Envelope:
        """A new offer, with reasons as matching gives them."""
        from datetime import UTC, datetime, timedelta

        payload = OfferChanged(
            offer_id=uuid.uuid4(),
            task_id=uuid.uuid4(),
            member_id=uuid.UUID(member_id),
            status=OfferStatus.pending,
            reasons=REASONS,
            expires_at=datetime.now(UTC) + timedelta(seconds=expires_in_s),
        )
        return wrap("offer.created", payload, "matching")

    def acceptance_withdrawn(self, created: Envelope) -> Envelope:
        """The volunteer who accepted can no longer come (withdrawFromTask)."""
        payload = OfferChanged.model_validate(created.data).model_copy(
            update={"status": OfferStatus.cancelled_by_volunteer}
        )
        return wrap("offer.cancelled_by_volunteer", payload, "matching")

    def withdrawn(self, created: Envelope, because: str) -> Envelope:
        payload = OfferChanged.model_validate(created.data).model_copy(
            update={"status": OfferStatus.withdrawn, "withdrawn_because": because}
        )
        return wrap("offer.withdrawn", payload, "matching")

    def publish(self, envelope: Envelope) -> None:
        self.producer.send(self.topic, key=str(envelope.data["task_id"]).encode(), value=envelope.to_bytes()).get(30)


@pytest.fixture
def offers(kafka_bootstrap, topics) -> Iterator[Offers]:
    publisher = Offers(kafka_bootstrap, topics)
    yield publisher
    publisher.producer.close()


def stored(database_url: str, model, key):
    """A row of the notifications service's database, as the service sees it now."""
    return read(database_url, lambda session: session.get(model, key))


def deliveries_of(database_url: str, member_id: str) -> list[Delivery]:
    return read(
        database_url,
        lambda session: list(session.exec(select(Delivery).where(Delivery.member_id == uuid.UUID(member_id))).all()),
    )


def read(database_url: str, query):
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return query(session)
    finally:
        engine.dispose()


def delivery_counts(client: TestClient) -> dict:
    response = client.get("/deliveries/counts", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="session")
def gateway(tmp_path_factory, kafka_bootstrap) -> Iterator[Gateway]:
    """One gateway process for the coordinators' mails of the session: each test makes its own
    coordinators, so the modules that use it share it rather than each start one."""
    with gateway_process(tmp_path_factory.mktemp("gateway"), kafka_bootstrap) as started:
        yield started


@pytest.fixture(scope="session")
def notifications_service(request, stack: Stack, mail_server, postgres_server) -> ServiceProcess:
    """The notifications service as a real process beside the product's stack, on PostgreSQL."""
    host, port = mail_server[0].rsplit(":", 1)
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": stack.gateway_env["KAFKA_BOOTSTRAP_SERVERS"],
        "KAFKA_TOPIC_PREFIX": stack.topic_prefix,
        "NOTIFICATIONS_DATABASE_URL": new_postgres_database(postgres_server, "notifications"),
        "NOTIFICATIONS_MEMBERS_URL": stack.members.url,
        "NOTIFICATIONS_GATEWAY_URL": stack.url,
        "NOTIFICATIONS_MATCHING_URL": stack.matching.url,
        "NOTIFICATIONS_PUBLIC_URL": stack.url,
        "NOTIFICATIONS_AT_RISK_SECONDS_BEFORE": str(AT_RISK_BEFORE_S),
        "NOTIFICATIONS_SMTP_HOST": host,
        "NOTIFICATIONS_SMTP_PORT": port,
        "NOTIFICATIONS_COALITION_NAME": "Solidarity Network",
    }
    service = start_service("services.notifications.main", env, name="notifications", timeout_s=180)
    request.config.add_cleanup(service.stop)
    return service
