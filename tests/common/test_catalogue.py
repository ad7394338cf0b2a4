"""The event catalogue is complete and is what producers and consumers go by."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from uuid import uuid4

import pytest

from services.common import catalogue
from services.common.catalogue import CATALOGUE, EVENT_TYPES, OFFER_EVENT_FOR
from services.common.contracts import Contract, FillChanged, MemberState, MemberStatus, OfferStatus
from services.common.envelope import Envelope, wrap
from services.common.topics import all_topics
from services.tasks.lifecycle import TRANSITIONS

REPO = Path(__file__).resolve().parents[2]
PRODUCT_CODE = [REPO / "services", REPO / "gateway"]
EVENT_NAME = re.compile(r"^(member|task|offer|fill)\.[a-z_]+$")


def string_constants(path: Path) -> set[str]:
    """The file's string literals, less column references (``foreign_key="task.id"``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    columns = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == "foreign_key"}
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in columns
    }


def event_names_in_product_code() -> dict[str, list[str]]:
    """Every string in the product's Python code that reads like an event name, with where it is."""
    found: dict[str, list[str]] = {}
    for root in PRODUCT_CODE:
        for path in root.rglob("*.py"):
            if path.name == "catalogue.py" or "migrations" in path.parts:
                continue
            for value in string_constants(path):
                if EVENT_NAME.match(value):
                    found.setdefault(value, []).append(str(path.relative_to(REPO)))
    return found


def event_names_built_at_run_time() -> list[str]:
    """f-strings that make an event name (``f"member.{action}"``): no test could see them all."""
    built = []
    for root in PRODUCT_CODE:
        for path in root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                    if re.match(r"^(member|task|offer|fill)\.$", str(node.values[0].value)):
                        built.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return built


def test_every_event_name_in_the_product_is_in_the_catalogue():
    assert event_names_built_at_run_time() == []
    tombstones = {contract.tombstone for contract in CATALOGUE.values()}
    stray = {
        name: where
        for name, where in event_names_in_product_code().items()
        if name not in EVENT_TYPES and name not in tombstones
    }
    assert stray == {}


def test_every_catalogued_event_has_a_payload_class_a_topic_and_a_version_someone_reads():
    topics = {spec.name for spec in all_topics()}
    for name, event in EVENT_TYPES.items():
        assert issubclass(event.payload, Contract), name
        assert event.topic in topics and CATALOGUE[event.topic].events[name] is event
        assert event.version in event.readable
        Envelope(type=name, source="test", data={})  # the envelope accepts the name


def test_each_producer_s_event_types_come_from_the_catalogue():
    assert set(OFFER_EVENT_FOR) == set(OfferStatus)  # every status an offer reaches is told
    assert all(rule.event_type in EVENT_TYPES.values() for rule in TRANSITIONS.values())
    assert {catalogue.FILL_COMPLETED.payload, catalogue.FILL_REOPENED.payload} == {FillChanged}
    assert {event.payload for event in catalogue.types_on("members.state")} == {MemberState}


def test_nothing_leaves_as_an_event_the_catalogue_does_not_list_or_with_another_payload():
    state = MemberState(member_id=uuid4(), status=MemberStatus.active)
    assert wrap("member.updated", state, "members").version == catalogue.MEMBER_UPDATED.version
    with pytest.raises(catalogue.UnknownEventType):
        wrap("member.teleported", state, "members")
    with pytest.raises(TypeError, match="carries a FillChanged"):
        wrap("fill.completed", state, "matching")
    # The old fill names were taken by tasks.state's task.* events with another payload.
    assert "task.filled" not in EVENT_TYPES and "task.reopened" not in EVENT_TYPES


def test_the_readme_lists_every_event():
    readme = (REPO / "README.md").read_text()
    assert [name for name in EVENT_TYPES if f"`{name}`" not in readme] == []
