"""The gateway's side of the services' HTTP contracts (``gateway/clients/contracts``) against the
OpenAPI schema each service publishes, as ``schema.graphql`` is checked against the code.

For every route the gateway calls with a contract model: the route exists; every field the gateway
reads is one the service answers, of a type the gateway can read (every JSON type and enum value
the service may send); every field the gateway sends is one the service takes, of a type it
accepts. A service renaming or retyping a field the gateway uses fails here, not in an
end-to-end test. Needs no running service: the schemas are built from the routers.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from gateway.clients import contracts
from gateway.clients.contracts import matching, members, tasks

Schema = dict[str, Any]

# (service, method, path, body sent, reply read): the routes the gateway calls with these models.
ROUTES: list[tuple[str, str, str, type[contracts.Body] | None, type[contracts.Reply] | None]] = [
    ("tasks", "post", "/tasks", tasks.TaskCreateBody, tasks.TaskReply),
    ("tasks", "get", "/tasks", None, tasks.TaskPageReply),
    ("tasks", "get", "/tasks/{}", None, tasks.TaskReply),
    ("tasks", "patch", "/tasks/{}", tasks.TaskFields, tasks.TaskReply),
    ("tasks", "get", "/tasks/addresses", None, tasks.TaskAddressesReply),
    ("tasks", "post", "/tasks/{}/open", None, tasks.TaskReply),
    ("tasks", "post", "/tasks/{}/cancel", None, tasks.TaskReply),
    ("tasks", "post", "/tasks/{}/close", None, tasks.TaskReply),
    ("tasks", "post", "/series", tasks.SeriesCreateBody, tasks.SeriesReply),
    ("tasks", "get", "/series/{}", None, tasks.SeriesReply),
    ("tasks", "patch", "/series/{}/following/{}", tasks.FollowingChangesBody, tasks.SeriesReply),
    ("tasks", "post", "/series/{}/cancel", None, tasks.SeriesReply),
    ("tasks", "get", "/organizations", None, tasks.OrganizationPageReply),
    ("tasks", "get", "/organizations/{}", None, tasks.OrganizationReply),
    ("tasks", "post", "/organizations", tasks.OrganizationBody, tasks.OrganizationReply),
    ("tasks", "get", "/committees", None, tasks.CommitteePageReply),
    ("tasks", "get", "/committees/{}", None, tasks.CommitteeReply),
    ("tasks", "post", "/committees", tasks.CommitteeBody, tasks.CommitteeReply),
    ("tasks", "get", "/committees/{}/leads", None, tasks.LeadPageReply),
    ("tasks", "post", "/committees/{}/leads", None, tasks.LeadReply),
    ("tasks", "get", "/tasks/{}/attendance", None, tasks.TaskAttendanceReply),
    ("tasks", "put", "/tasks/{}/attendance/{}", tasks.AttendanceBody, tasks.AttendanceReply),
    ("tasks", "get", "/members/{}/attendance", None, tasks.VolunteerRecordReply),
    ("tasks", "get", "/attendance/totals", None, tasks.AttendanceTotalsReply),
    ("tasks", "get", "/attendance/records", None, tasks.AttendanceRecordsReply),
    ("members", "get", "/members/{}", None, members.MemberReply),
    ("members", "get", "/members", None, members.MemberPageReply),
    ("members", "patch", "/members/{}", members.ProfileFields, members.MemberReply),
    ("members", "post", "/members", members.ProfileFields, members.MemberReply),
    ("members", "post", "/members/{}/pause", None, members.MemberReply),
    ("members", "post", "/members/{}/resume", None, members.MemberReply),
    ("members", "get", "/members/{}/contact", None, members.ContactReply),
    ("members", "get", "/members/{}/audit", None, members.AuditPageReply),
    ("members", "post", "/members/names", members.NamesBody, members.NamesReply),
    ("members", "get", "/members/{}/committees", None, members.MemberCommitteesReply),
    ("members", "put", "/members/{}/committees/{}", None, members.MemberCommitteesReply),
    ("members", "delete", "/members/{}/committees/{}", None, members.MemberCommitteesReply),
    ("members", "get", "/skills", None, members.SkillPageReply),
    ("members", "post", "/skills", members.SkillBody, members.SkillReply),
    ("members", "patch", "/skills/{}", members.SkillChangesBody, members.SkillReply),
    ("members", "get", "/areas", None, members.AreaPageReply),
    ("members", "post", "/areas", members.AreaBody, members.AreaReply),
    ("members", "patch", "/areas/{}", members.AreaChangesBody, members.AreaReply),
    ("matching", "get", "/offers", None, matching.OfferPageReply),
    ("matching", "get", "/offers/{}", None, matching.OfferReply),
    ("matching", "post", "/offers/{}/accept", matching.OfferAnswerBody, matching.OfferReply),
    ("matching", "post", "/offers/{}/decline", matching.OfferAnswerBody, matching.OfferReply),
    ("matching", "post", "/offers/{}/withdraw", matching.OfferAnswerBody, matching.OfferReply),
    ("matching", "post", "/tasks/{}/asks", matching.OfferAnswerBody, matching.AskReply),
    ("matching", "get", "/tasks/{}/fill", None, matching.FillReply),
    ("matching", "get", "/fills", None, matching.FillPageReply),
    ("matching", "get", "/tasks/{}/diagnosis", None, matching.DiagnosisReply),
]


@cache
def service_schema(service: str) -> Schema:
    """The OpenAPI document of the service's routes, as its app publishes it at /openapi.json."""
    if service == "tasks":
        from services.tasks.api import routers
    elif service == "members":
        from services.members.api import routers
    else:
        from services.matching.api import router

        routers = [router]
    app = FastAPI()
    for router in routers:
        app.include_router(router)
    return app.openapi()


def operation(service: str, method: str, path: str) -> Schema:
    paths = {re.sub(r"\{[^}]+\}", "{}", template): ops for template, ops in service_schema(service)["paths"].items()}
    assert path in paths and method in paths[path], f"the {service} service has no {method.upper()} {path}"
    return paths[path][method]


def reply_schema(service: str, method: str, path: str) -> Schema:
    answers = operation(service, method, path)["responses"]
    success = next(status for status in answers if status.startswith("2"))
    return answers[success]["content"]["application/json"]["schema"]


def body_schema(service: str, method: str, path: str) -> Schema:
    body = operation(service, method, path).get("requestBody")
    assert body, f"{method.upper()} {path} of the {service} service takes no body"
    return body["content"]["application/json"]["schema"]


class Side:
    """One side's JSON schema, with its ``$ref``s resolved in its own definitions."""

    def __init__(self, schema: Schema, definitions: dict[str, Schema]):
        self.definitions = definitions
        self.schema = self.resolve(schema)

    def resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[-1]]
        if len(schema.get("allOf", [])) == 1:
            return self.resolve(schema["allOf"][0])
        return schema

    def at(self, schema: Schema) -> Side:
        return Side(schema, self.definitions)

    def options(self) -> list[Side]:
        return [self.at(option) for option in self.schema.get("anyOf", self.schema.get("oneOf", []))] or [self]

    def types(self) -> set[str]:
        """The JSON types a value may have; empty when the schema says nothing (any)."""
        found: set[str] = set()
        for option in self.options():
            schema = option.schema
            if "type" in schema:
                found |= set(schema["type"]) if isinstance(schema["type"], list) else {schema["type"]}
            for value in schema.get("enum", [schema["const"]] if "const" in schema else []):
                found.add(json_type(value))
        return found

    def enum(self) -> set[Any] | None:
        values: set[Any] = set()
        for option in self.options():
            if "enum" not in option.schema and "const" not in option.schema:
                if option.schema.get("type") != "null":
                    return None  # an option open to any value of its type
                continue
            values |= set(option.schema.get("enum", [option.schema.get("const")]))
        return values

    def part(self, keyword: str) -> Side | None:
        """The object, array or map part of the schema: its ``properties``, ``items`` or values."""
        for option in self.options():
            if keyword in option.schema and option.schema[keyword] not in (True, False):
                return option if keyword == "properties" else option.at(option.schema[keyword])
        return None


def json_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}[type(value)]


def widened(types: set[str]) -> set[str]:
    return types | {"integer"} if "number" in types else types


def check(writer: Side, reader: Side, where: str, problems: list[str]) -> None:
    """Every value ``writer`` may produce, ``reader`` can take: the field names, the JSON types,
    the enum values, all the way down."""
    written, read = writer.types(), widened(reader.types())
    if written and read and not written <= read:
        problems.append(f"{where}: {sorted(written - read)} sent, {sorted(read)} read")
    written_values, read_values = writer.enum(), reader.enum()
    if read_values is not None and (written_values is None or not written_values <= read_values):
        problems.append(f"{where}: values {written_values or 'any'} sent, {sorted(map(str, read_values))} read")
    for keyword in ("items", "additionalProperties"):
        inner_writer, inner_reader = writer.part(keyword), reader.part(keyword)
        if inner_writer and inner_reader:
            check(inner_writer, inner_reader, f"{where}[]", problems)
    objects = writer.part("properties"), reader.part("properties")
    if objects[0] and objects[1]:
        check_fields(*objects, where, problems)


def check_fields(writer: Side, reader: Side, where: str, problems: list[str]) -> None:
    written, read = writer.schema["properties"], reader.schema["properties"]
    gateway_side = writer if writer.schema.get("x-gateway") else reader
    for name in gateway_side.schema["properties"]:
        if name not in written or name not in read:
            problems.append(f"{where}.{name}: the service has no such field")
            continue
        check(writer.at(written[name]), reader.at(read[name]), f"{where}.{name}", problems)


def gateway_side(model: type[BaseModel], mode: str) -> Side:
    schema = model.model_json_schema(mode=mode, ref_template="#/$defs/{model}")
    definitions = schema.pop("$defs", {})
    for definition in [schema, *definitions.values()]:
        definition["x-gateway"] = True  # whose fields are checked: the gateway's, a subset of the service's
    return Side(schema, definitions)


def service_side(service: str, schema: Schema) -> Side:
    return Side(schema, service_schema(service)["components"]["schemas"])


def drift(service: str, method: str, path: str, body: type[BaseModel] | None, reply: type[BaseModel] | None) -> list:
    problems: list[str] = []
    where = f"{service} {method.upper()} {path}"
    if body is not None:
        ours = gateway_side(body, "serialization")
        check(ours, service_side(service, body_schema(service, method, path)), f"{where} body", problems)
    if reply is not None:
        theirs = service_side(service, reply_schema(service, method, path))
        check(theirs, gateway_side(reply, "validation"), f"{where} reply", problems)
    return problems


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "reply"), ROUTES, ids=lambda v: getattr(v, "__name__", v)
)
def test_what_the_gateway_sends_and_reads_is_what_the_service_takes_and_answers(service, method, path, body, reply):
    assert drift(service, method, path, body, reply) == []


def test_every_contract_model_is_checked_against_a_route():
    """A model added to the contracts but used with no route in ROUTES would go unchecked."""
    checked = set()
    for route in ROUTES:
        for model in (model for model in route[3:] if model is not None):
            checked |= {model.__name__, *model.model_json_schema().get("$defs", {})}
    declared = {
        name
        for module in (tasks, matching, members)
        for name, model in vars(module).items()
        if isinstance(model, type) and issubclass(model, BaseModel) and model.__module__ == module.__name__
    }
    assert declared <= checked, f"not checked against any route: {sorted(declared - checked)}"


def test_a_field_the_service_renamed_is_found():
    """The check itself: a reply that reads a field the service does not answer, and a body that
    sends one it does not take, are both reported."""

    class Misread(tasks.TaskReply):
        has_place: bool = False

    class Missent(tasks.TaskFields):
        place: str | None = None

    assert drift("tasks", "get", "/tasks/{}", None, Misread) == [
        "tasks GET /tasks/{} reply.has_place: the service has no such field"
    ]
    assert drift("tasks", "patch", "/tasks/{}", Missent, None) == [
        "tasks PATCH /tasks/{} body.place: the service has no such field"
    ]


def test_a_value_the_gateway_cannot_read_is_found():
    class Narrow(matching.FillReply):
        slots: str  # type: ignore[assignment]

    assert drift("matching", "get", "/tasks/{}/fill", None, Narrow) == [
        "matching GET /tasks/{}/fill reply.slots: ['integer'] sent, ['string'] read"
    ]
