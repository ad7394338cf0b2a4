"""Talking to a running gateway the way clients do: GraphQL over HTTP and graphql-transport-ws,
plus factories for the people and things a test needs (each test makes its own)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

import httpx
from websockets.sync.client import connect

from tests.gateway.stack import ADMIN_EMAIL, ADMIN_PASSWORD, unique
from tests.support.processes import eventually

LOGIN = (
    """... on AuthPayload { token expiresAt viewer { id role memberId organizationId } } ... on Problem { message }"""
)
AUTH = LOGIN + " ... on ValidationProblem { fields { field message } }"
TASK = "id title status slots acceptedCount openSlots fill { accepted pending acceptedMemberIds }"
REASON = "kind skill level language fluency windows area areaName ownArea distanceKm text"
OFFER = f"id taskId status reasons {{ {REASON} }} taskTitle"


class GraphQLError(AssertionError):
    pass


class GraphQL:
    def __init__(self, url: str):
        self.url = url
        self.http = httpx.Client(timeout=30)

    def raw(self, query: str, variables: dict | None = None, token: str | None = None, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(self.url, json={"query": query, "variables": variables or {}}, headers=headers, **kwargs)

    def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        response = self.raw(query, variables, token)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLError(f"HTTP {response.status_code}: {json.dumps(body)[:800]}")
        return body["data"]

    def subscribe(self, query: str, token: str | None = None, variables: dict | None = None) -> "Subscription":
        return Subscription(self.url.replace("http", "ws", 1), query, token, variables)


class Subscription:
    """One graphql-transport-ws subscription; use as a context manager."""

    def __init__(self, url: str, query: str, token: str | None, variables: dict | None):
        self.url, self.query, self.token, self.variables = url, query, token, variables

    def __enter__(self) -> "Subscription":
        self._connection = connect(self.url, subprotocols=["graphql-transport-ws"], open_timeout=10)
        self.socket = self._connection.__enter__()
        self.socket.send(
            json.dumps({"type": "connection_init", "payload": {"token": self.token} if self.token else {}})
        )
        ack = json.loads(self.socket.recv(timeout=10))
        assert ack["type"] == "connection_ack", ack
        self.socket.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": self.query, "variables": self.variables or {}}}
            )
        )
        return self

    def next(self, timeout: float = 15) -> dict:
        """The next message for the subscription (``next`` or ``error``), pings answered."""
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.05, deadline - time.monotonic())))
            if message["type"] == "ping":
                self.socket.send(json.dumps({"type": "pong"}))
                continue
            return message

    def next_data(self, predicate=lambda data: True, timeout: float = 40) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.05, deadline - time.monotonic()))
            assert message["type"] == "next", message
            if predicate(message["payload"]["data"]):
                return message["payload"]["data"]

    def __exit__(self, *exc) -> None:
        self._connection.__exit__(*exc)


@dataclass
class Person:
    token: str
    id: str
    email: str
    password: str
    member_id: str | None = None
    organization_id: str | None = None


class World:
    """Factories over a running stack. Each test gets its own skill, so matching offers its
    tasks only to its own volunteers."""

    def __init__(self, graphql: GraphQL):
        self.gql = graphql

    @cached_property
    def admin(self) -> Person:
        data = self.gql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { %s } }" % LOGIN,
            {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
        )["login"]
        return Person(data["token"], data["viewer"]["id"], ADMIN_EMAIL, ADMIN_PASSWORD)

    def skill(self) -> str:
        slug = unique("skill")
        result = self.gql(
            "mutation($i: SkillInput!) { createSkill(input: $i) { __typename ... on Problem { message } } }",
            {"i": {"slug": slug, "name": slug.replace("-", " ").title()}},
            self.admin.token,
        )["createSkill"]
        assert result["__typename"] == "Skill", result
        return slug

    def organization(self) -> str:
        result = self.gql(
            "mutation($i: OrganizationInput!) { createOrganization(input: $i) { __typename "
            "... on Organization { id } ... on Problem { message } } }",
            {"i": {"name": unique("Tenant union")}},
            self.admin.token,
        )["createOrganization"]
        return result["id"]

    def invite(self, organization_id: str) -> str:
        result = self.gql(
            "mutation($o: ID!) { createCoordinatorInvite(organizationId: $o) { __typename "
            "... on CoordinatorInvite { code } ... on Problem { message } } }",
            {"o": organization_id},
            self.admin.token,
        )["createCoordinatorInvite"]
        assert result["__typename"] == "CoordinatorInvite", result
        return result["code"]

    def coordinator(self, organization_id: str | None = None) -> Person:
        organization_id = organization_id or self.organization()
        email, password = f"{unique('coordinator')}@example.org", "coordinator-password"
        data = self.gql(
            "mutation($i: RegisterCoordinatorInput!) { registerCoordinator(input: $i) { %s } }" % AUTH,
            {"i": {"email": email, "password": password, "inviteCode": self.invite(organization_id)}},
        )
        payload = data["registerCoordinator"]
        assert "token" in payload, payload
        return Person(payload["token"], payload["viewer"]["id"], email, password, organization_id=organization_id)

    def volunteer(self, skill: str | None = None, **profile) -> Person:
        email, password = f"{unique('volunteer')}@example.org", "volunteer-password"
        always = [
            {"weekday": day, "start": "00:00", "end": "23:59"}
            for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
        ]
        values = {
            "email": email,
            "password": password,
            "displayName": "Amina Diallo",
            "contacts": {"email": {"value": email, "consent": True}},
            "skills": [{"skill": skill, "level": "EXPERT"}] if skill else [],
            "languages": [{"code": "fr", "fluency": "FLUENT"}],
            "weeklyAvailability": always,
            "remoteOk": True,
        }
        payload = self.gql(
            "mutation($i: RegisterMemberInput!) { registerMember(input: $i) { %s } }" % AUTH, {"i": values | profile}
        )["registerMember"]
        assert "token" in payload, payload
        viewer = payload["viewer"]
        return Person(payload["token"], viewer["id"], email, password, member_id=viewer["memberId"])

    def task(self, coordinator: Person, skill: str, slots: int = 1, title: str | None = None, **fields) -> dict:
        starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
        values = {
            "title": title or unique("Translate a leaflet"),
            "summary": "French to Spanish, two pages",
            "skills": [{"skill": skill, "minLevel": "CAPABLE"}],
            "languages": ["fr"],
            "slots": slots,
            "startsAt": starts.isoformat(),
            "endsAt": (starts + timedelta(hours=2)).isoformat(),
            "remote": True,
        }
        result = self.gql(
            "mutation($i: TaskInput!) { postTask(input: $i) { __typename ... on Task { %s } "
            "... on Problem { message } } }" % TASK,
            {"i": values | fields},
            coordinator.token,
        )["postTask"]
        assert result["__typename"] == "Task", result
        return result

    def offers(self, volunteer: Person, status: str | None = None) -> list[dict]:
        return self.gql(
            "query($s: OfferStatus) { myOffers(status: $s) { nodes { %s } } }" % OFFER, {"s": status}, volunteer.token
        )["myOffers"]["nodes"]

    def wait_for_offer(self, volunteer: Person, task_id: str, timeout_s: float = 60) -> dict:
        def arrived():
            return next((o for o in self.offers(volunteer) if o["taskId"] == task_id), None)

        return eventually(arrived, timeout_s, interval_s=0.2, message=f"an offer of task {task_id}")

    def accept(self, volunteer: Person, offer_id: str) -> dict:
        return self.gql(
            "mutation($o: ID!) { acceptOffer(offerId: $o) { __typename ... on Offer { %s } "
            "... on Problem { message } } }" % OFFER,
            {"o": offer_id},
            volunteer.token,
        )["acceptOffer"]
