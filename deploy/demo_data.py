"""A small demo coalition, loaded through the gateway's GraphQL API like any client would.

An admin account, two member organizations with a coordinator each, a dozen volunteers with the
skills a sanctuary network needs, and open tasks that the matcher starts offering at once. Safe to
run again: if the demo coordinator can already log in, nothing is added. Development only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

ADMIN = ("admin@demo.coalition.example", "demo-admin-password")
COORDINATOR = ("coordinator@demo.coalition.example", "demo-coordinator-password")
VOLUNTEER_PASSWORD = "demo-volunteer-password"
WEEK = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")

AUTH = "... on AuthPayload { token viewer { id } } ... on Problem { message }"

# name, skills (slug, level), languages, area, remote_ok, days free
VOLUNTEERS = [
    (
        "Amina",
        [("legal-knowledge", "EXPERT"), ("immigration-law", "EXPERT")],
        ["fr", "en", "ar"],
        "montreal-parc-extension",
        False,
        WEEK[:5],
    ),
    (
        "Luis",
        [("interpretation", "EXPERT"), ("accompaniment", "CAPABLE")],
        ["es", "fr", "en"],
        "montreal-cote-des-neiges",
        False,
        WEEK,
    ),
    (
        "Mei",
        [("website-maintenance", "EXPERT"), ("graphic-design", "CAPABLE")],
        ["en", "zh"],
        "montreal-plateau",
        True,
        WEEK[5:],
    ),
    ("Jo", [("graphic-design", "EXPERT"), ("social-media", "CAPABLE")], ["en", "fr"], "montreal-plateau", True, WEEK),
    (
        "Fatou",
        [("public-speaking", "EXPERT"), ("meeting-facilitation", "CAPABLE")],
        ["fr", "en"],
        "montreal-nord",
        False,
        WEEK,
    ),
    (
        "Sam",
        [("rally-support", "CAPABLE"), ("event-logistics", "CAPABLE")],
        ["en"],
        "montreal-ville-marie",
        False,
        WEEK,
    ),
    (
        "Ana",
        [("rally-support", "LEARNING"), ("one-on-one-outreach", "CAPABLE")],
        ["es", "pt", "en"],
        "montreal-ville-marie",
        False,
        WEEK[4:],
    ),
    (
        "Karim",
        [("rally-support", "CAPABLE"), ("translation", "EXPERT")],
        ["ar", "fr"],
        "montreal-ville-marie",
        True,
        WEEK,
    ),
    (
        "Rosa",
        [("one-on-one-outreach", "EXPERT"), ("interpretation", "CAPABLE")],
        ["es", "en"],
        "montreal-sud-ouest",
        False,
        WEEK,
    ),
    ("Dev", [("writing", "EXPERT"), ("legal-knowledge", "CAPABLE")], ["en", "fr"], "montreal-hochelaga", True, WEEK),
    (
        "Noor",
        [("meeting-facilitation", "EXPERT"), ("public-speaking", "CAPABLE")],
        ["en", "fa"],
        "montreal-cote-des-neiges",
        True,
        WEEK,
    ),
    ("Theo", [("event-logistics", "EXPERT"), ("rally-support", "EXPERT")], ["fr"], "montreal-ville-marie", False, WEEK),
]

# Where the demo volunteers can go besides their own borough, in turn.
REACHES = [{"km": 5}, {}, {"wholeCity": True}, {"areas": ["montreal-ville-marie"]}]

# The demo coalition is in Montréal: task times are local there, whatever the machine's zone.
LOCAL = ZoneInfo("America/Toronto")


def _next(weekday: int, hour: int) -> datetime:
    """The next such weekday (not today) at ``hour`` o'clock Montréal time, in UTC."""
    today = datetime.now(LOCAL).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return datetime.combine(day, time(hour), LOCAL).astimezone(UTC)


def tasks() -> list[dict]:
    saturday = _next(5, 10)
    return [
        {
            "title": "Legal clinic shift: tenant and status questions",
            "summary": "Answer questions at the Wednesday evening clinic with a lawyer.",
            "skills": [{"skill": "legal-knowledge", "minLevel": "CAPABLE"}],
            "languages": ["fr", "es"],
            "slots": 2,
            "startsAt": _next(2, 17).isoformat(),
            "endsAt": (_next(2, 17) + timedelta(hours=3)).isoformat(),
            "area": "montreal-parc-extension",
            "urgency": "HIGH",
            "address": "Community centre, room 2 (shared after acceptance)",
        },
        {
            "title": "Hold signs at the rally for status for all",
            "summary": "Two hours on the square; signs provided.",
            "skills": [{"skill": "rally-support", "minLevel": "LEARNING"}],
            "languages": ["en", "fr"],
            "slots": 4,
            "startsAt": saturday.isoformat(),
            "endsAt": (saturday + timedelta(hours=2)).isoformat(),
            "area": "montreal-ville-marie",
            "wholeCity": True,
        },
        {
            "title": "Fix the network's website donation page",
            "summary": "The donate button breaks on phones.",
            "skills": [{"skill": "website-maintenance", "minLevel": "CAPABLE"}],
            "languages": ["en"],
            "slots": 1,
            "deadline": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
            "remote": True,
        },
        {
            "title": "Speak at the school board: access without fear",
            "summary": "Three-minute interventions by parents and allies.",
            "skills": [{"skill": "public-speaking", "minLevel": "CAPABLE"}],
            "languages": ["fr"],
            "slots": 3,
            "startsAt": _next(3, 18).isoformat(),
            "endsAt": (_next(3, 18) + timedelta(hours=2)).isoformat(),
            "area": "montreal-nord",
        },
        {
            "title": "Design the flyer for the anti-deportation vigil",
            "summary": "A one-page flyer in French and English.",
            "skills": [{"skill": "graphic-design", "minLevel": "CAPABLE"}],
            "languages": ["fr", "en"],
            "slots": 1,
            "deadline": (datetime.now(UTC) + timedelta(days=5)).isoformat(),
            "remote": True,
        },
    ]


class Client:
    def __init__(self, gateway_url: str):
        self.http = httpx.Client(base_url=gateway_url, timeout=30)

    def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers).json()
        if body.get("errors"):
            raise RuntimeError(f"demo data: {body['errors'][0].get('message')}")
        return body["data"]

    def login(self, email: str, password: str) -> str | None:
        result = self(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { %s } }" % AUTH,
            {"e": email, "p": password},
        )["login"]
        return result.get("token")

    def expect(self, result: dict, typename_field: str) -> dict:
        if typename_field not in result:
            raise RuntimeError(f"demo data refused: {result.get('message', result)}")
        return result


def create_admin() -> None:
    env = os.environ | {"GATEWAY_ADMIN_PASSWORD": ADMIN[1]}
    subprocess.run(
        [sys.executable, "-m", "gateway", "create-admin", "--email", ADMIN[0]],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fails harmlessly if it exists


def load_demo_data(gateway_url: str) -> str:
    client = Client(gateway_url)
    if client.login(*COORDINATOR):
        return f"demo data already loaded\n{demo_logins()}"
    create_admin()
    admin = client.login(*ADMIN)
    if admin is None:
        return "demo data skipped: the demo admin cannot log in (an admin with another password exists)"
    coordinator = _coordinator(client, admin)
    for index, volunteer in enumerate(VOLUNTEERS):
        _volunteer(client, index, *volunteer)
    for task in tasks():
        result = client(
            "mutation($i: TaskInput!) { postTask(input: $i) { __typename ... on Task { id } "
            "... on Problem { message } } }",
            {"i": task},
            coordinator,
        )["postTask"]
        client.expect(result, "id")
    return f"demo data loaded: {len(VOLUNTEERS)} volunteers, {len(tasks())} open tasks\n{demo_logins()}"


def demo_logins() -> str:
    return (
        f"  coordinator: {COORDINATOR[0]} / {COORDINATOR[1]}\n"
        f"  volunteers:  amina@demo.coalition.example ... theo@demo.coalition.example / {VOLUNTEER_PASSWORD}\n"
        f"  admin:       {ADMIN[0]} / {ADMIN[1]}"
    )


def _coordinator(client: Client, admin: str) -> str:
    organization = client.expect(
        client(
            "mutation($i: OrganizationInput!) { createOrganization(input: $i) { ... on Organization { id } "
            "... on Problem { message } } }",
            {"i": {"name": "Sanctuary City Network", "description": "Accompaniment, legal clinics, rapid response."}},
            admin,
        )["createOrganization"],
        "id",
    )
    invite = client.expect(
        client(
            "mutation($o: ID!) { createCoordinatorInvite(organizationId: $o) { ... on CoordinatorInvite { code } "
            "... on Problem { message } } }",
            {"o": organization["id"]},
            admin,
        )["createCoordinatorInvite"],
        "code",
    )
    result = client(
        "mutation($i: RegisterCoordinatorInput!) { registerCoordinator(input: $i) { %s } }" % AUTH,
        {"i": {"email": COORDINATOR[0], "password": COORDINATOR[1], "inviteCode": invite["code"]}},
    )
    return client.expect(result["registerCoordinator"], "token")["token"]


def _volunteer(client: Client, index: int, name: str, skills, languages, area, remote_ok, days) -> None:
    email = f"{name.lower()}@demo.coalition.example"
    values = {
        "email": email,
        "password": VOLUNTEER_PASSWORD,
        "displayName": name,
        "contacts": {"email": {"value": email, "consent": True}},
        "skills": [{"skill": s, "level": level} for s, level in skills],
        "languages": [{"code": code, "fluency": "FLUENT"} for code in languages],
        "weeklyAvailability": [{"weekday": day, "start": "08:00", "end": "22:00"} for day in days],
        "area": area,
        "remoteOk": remote_ok,
        "maxTasksPerMonth": 3 + index % 3,
        "reach": REACHES[index % len(REACHES)],
        "locale": "fr" if "fr" in languages[:1] else "en",
    }
    result = client("mutation($i: RegisterMemberInput!) { registerMember(input: $i) { %s } }" % AUTH, {"i": values})
    client.expect(result["registerMember"], "token")
