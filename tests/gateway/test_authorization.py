"""Every query, mutation and subscription, tried as anonymous, volunteer, coordinator and admin.

``ACCESS`` is the design; the test fails when the schema gains a field that is not in it, and
when any role gets through where it should not (or is refused where it should not be).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)
from graphql.pyutils import Undefined

from gateway.schema import build_schema

pytestmark = pytest.mark.kafka

ANYONE = frozenset({"anonymous", "volunteer", "coordinator", "admin"})
SIGNED_IN = frozenset({"volunteer", "coordinator", "admin"})
VOLUNTEER, COORDINATOR, ADMIN = frozenset({"volunteer"}), frozenset({"coordinator"}), frozenset({"admin"})

ACCESS = {
    "query": {
        "openTasks": ANYONE,
        "skills": ANYONE,
        "areas": ANYONE,
        "defaultTimeZone": ANYONE,
        "languages": ANYONE,
        "me": ANYONE,
        "organizations": SIGNED_IN,
        "myContact": VOLUNTEER,
        "myAuditLog": VOLUNTEER,
        "myOffers": VOLUNTEER,
        "myCalendarFeed": VOLUNTEER,
        "myTasks": COORDINATOR,
        "task": COORDINATOR,
        "volunteerContact": COORDINATOR,
        "users": ADMIN,
        "userByEmail": ADMIN,
        "members": ADMIN,
        "memberAudit": ADMIN,
        "committees": SIGNED_IN,
        "myCommittees": VOLUNTEER,
        "ledCommittees": COORDINATOR,
        "committeeLeads": ADMIN,
        "taskAttendance": COORDINATOR,
        "myVolunteering": VOLUNTEER,
        "attendanceTotals": COORDINATOR,
    },
    "mutation": {
        "registerMember": ANYONE,
        "registerCoordinator": ANYONE,
        "login": ANYONE,
        "renewToken": SIGNED_IN,
        "setLocale": SIGNED_IN,
        "updateProfile": VOLUNTEER,
        "pauseMe": VOLUNTEER,
        "resumeMe": VOLUNTEER,
        "eraseMe": VOLUNTEER,
        "updateNotificationPreferences": VOLUNTEER,
        "acceptOffer": VOLUNTEER,
        "declineOffer": VOLUNTEER,
        "withdrawFromTask": VOLUNTEER,
        "askForTask": VOLUNTEER,
        "renewCalendarFeed": VOLUNTEER,
        "removeCalendarFeed": VOLUNTEER,
        "postTask": COORDINATOR,
        "updateTask": COORDINATOR,
        "publishTask": COORDINATOR,
        "cancelTask": COORDINATOR,
        "closeTask": COORDINATOR,
        "createSkill": ADMIN,
        "updateSkill": ADMIN,
        "createArea": ADMIN,
        "updateArea": ADMIN,
        "createOrganization": ADMIN,
        "createCoordinatorInvite": ADMIN,
        "setUserRole": ADMIN,
        "setUserActive": ADMIN,
        "eraseMember": ADMIN,
        "eraseUser": ADMIN,
        "createCommittee": ADMIN,
        "addCommitteeLead": ADMIN,
        "removeCommitteeLead": ADMIN,
        "joinCommittee": VOLUNTEER,
        "leaveCommittee": VOLUNTEER,
        "postSeries": COORDINATOR,
        "updateFollowing": COORDINATOR,
        "cancelSeries": COORDINATOR,
        "markAttendance": COORDINATOR,
        "couldNotCome": VOLUNTEER,
        "exportAttendanceWithNames": COORDINATOR,
    },
    "subscription": {"openTasksChanged": ANYONE, "offerUpdates": VOLUNTEER, "taskUpdates": COORDINATOR},
}
DENIAL_CODES = {"UNAUTHENTICATED", "FORBIDDEN"}
SCHEMA = build_schema()._schema
ROOTS = {"query": SCHEMA.query_type, "mutation": SCHEMA.mutation_type, "subscription": SCHEMA.subscription_type}


def test_every_operation_of_the_schema_has_a_designed_access():
    for kind, root in ROOTS.items():
        assert set(root.fields) == set(ACCESS[kind]), f"classify the new {kind} fields in ACCESS"


def sample(type_, name: str):
    """A value of the right type that changes nothing real (unknown ids, harmless text)."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, name)
    if isinstance(type_, GraphQLList):
        return []
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            field_name: sample(field.type, field_name)
            for field_name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    assert isinstance(type_, GraphQLScalarType)
    scalars = {
        "ID": str(uuid.uuid4()),
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "Time": "10:00",
        "Date": "2030-01-01",
        "DateTime": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
    }
    if type_.name in scalars:
        return scalars[type_.name]
    return {"email": "matrix@example.org", "password": "matrix-password", "locale": "en"}.get(name, "matrix-check")


def operation(kind: str, field_name: str) -> tuple[str, dict]:
    field = ROOTS[kind].fields[field_name]
    arguments = {name: arg for name, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)}
    declared = ", ".join(f"${name}: {arg.type}" for name, arg in arguments.items())
    passed = ", ".join(f"{name}: ${name}" for name in arguments)
    selection = (
        "" if isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType)) else " { __typename }"
    )
    declaration, call = f"({declared})" if declared else "", f"({passed})" if passed else ""
    text = f"{kind} Check{declaration} {{ {field_name}{call}{selection} }}"
    return text, {name: sample(arg.type, name) for name, arg in arguments.items()}


@pytest.fixture(scope="module")
def tokens(world):
    return {
        "anonymous": None,
        "volunteer": world.volunteer().token,
        "coordinator": world.coordinator().token,
        "admin": world.admin.token,
    }


def outcome_over_http(graphql, kind, field_name, token) -> str:
    text, variables = operation(kind, field_name)
    response = graphql.raw(text, variables, token)
    assert response.status_code == 200, f"{field_name}: HTTP {response.status_code} {response.text[:300]}"
    codes = {error.get("extensions", {}).get("code") for error in response.json().get("errors") or []}
    return "denied" if codes & DENIAL_CODES else "allowed"


def outcome_over_websocket(graphql, field_name, token) -> str:
    text, variables = operation("subscription", field_name)
    with graphql.subscribe(text, token, variables) as subscription:
        try:
            message = subscription.next(timeout=1.0)
        except TimeoutError:
            return "allowed"  # listening quietly for the next event
    codes = {error.get("extensions", {}).get("code") for error in message.get("payload") or []}
    return "denied" if message["type"] == "error" and codes & DENIAL_CODES else "allowed"


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "coordinator", "admin"])
def test_each_role_reaches_exactly_what_it_should(role, tokens, graphql):
    wrong = []
    for kind, fields in ACCESS.items():
        for field_name, allowed_roles in fields.items():
            if kind == "subscription":
                got = outcome_over_websocket(graphql, field_name, tokens[role])
            else:
                got = outcome_over_http(graphql, kind, field_name, tokens[role])
            expected = "allowed" if role in allowed_roles else "denied"
            if got != expected:
                wrong.append(f"{kind} {field_name}: {got}, expected {expected}")
    assert wrong == []


def test_the_anonymous_are_told_to_log_in_and_the_wrong_role_is_told_no(tokens, graphql):
    anonymous = graphql.raw("{ myOffers { totalCount } }").json()["errors"][0]["extensions"]["code"]
    coordinator = graphql.raw("{ myOffers { totalCount } }", token=tokens["coordinator"]).json()
    assert anonymous == "UNAUTHENTICATED"
    assert coordinator["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert coordinator["errors"][0]["message"] == "Only volunteers can do this."


def test_notification_preferences_show_to_the_member_themself_only(world, graphql):
    volunteer = world.volunteer()
    mine = graphql("{ me { member { notificationPreferences { email detail } } } }", token=volunteer.token)
    assert mine["me"]["member"]["notificationPreferences"] == {"email": True, "detail": "DISCREET"}
    listed = graphql(
        "{ members(first: 50) { nodes { id notificationPreferences { email } } } }", token=world.admin.token
    )["members"]["nodes"]
    assert listed and all(node["notificationPreferences"] is None for node in listed)
