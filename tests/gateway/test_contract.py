"""What the gateway promises in its schema and its web catalogues."""

from __future__ import annotations

import json
import re
from pathlib import Path

from graphql import GraphQLObjectType, get_named_type

from gateway.__main__ import SCHEMA_FILE, main
from gateway.schema import build_schema, schema_sdl

WEB = Path(__file__).resolve().parents[2] / "gateway" / "web" / "public"
FORBIDDEN = re.compile(r"immigration|citizenship|nationality|ethnicity|religion|visa", re.IGNORECASE)
PUBLIC_ROOTS = {"openTasks", "skills", "areas"}
PERSONAL = re.compile(r"email|phone|signal|name|pronoun|member|coordinator|address|contact|user", re.IGNORECASE)
PUBLIC_NAMES_ALLOWED = {"name", "areaName"}  # a skill's or an area's name, not a person's


def test_the_committed_schema_matches_the_code():
    assert SCHEMA_FILE.read_text() == schema_sdl(), (
        "gateway/schema.graphql is stale: run `uv run python -m gateway export-schema` and commit it"
    )


def test_the_export_command_checks_the_committed_file(capsys):
    assert main(["export-schema", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_the_schema_has_no_field_for_what_the_product_never_asks():
    assert not FORBIDDEN.search(schema_sdl())


def test_nothing_reachable_from_the_public_queries_is_personal():
    schema = build_schema()._schema
    seen, pending = set(), [schema.query_type.fields[name].type for name in PUBLIC_ROOTS]
    while pending:
        named = get_named_type(pending.pop())
        if named.name in seen or not isinstance(named, GraphQLObjectType):
            continue
        seen.add(named.name)
        for field_name, field in named.fields.items():
            assert field_name in PUBLIC_NAMES_ALLOWED or not PERSONAL.search(field_name), (
                f"{named.name}.{field_name} is reachable from a public query"
            )
            pending.append(field.type)
    assert {"PublicTask", "PublicTaskPage", "Skill", "Area", "SkillNeed"} <= seen


def catalogue(language: str) -> dict[str, str]:
    return json.loads((WEB / "i18n" / f"{language}.json").read_text())


def keys_used_by_pages() -> set[str]:
    used = set()
    for page in WEB.glob("*.html"):
        used |= set(re.findall(r'data-i18n(?:-[a-z]+)?="([^"]+)"', page.read_text()))
    for script in [*WEB.glob("assets/js/*.js"), WEB / "widget.js"]:
        text = script.read_text()
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-zA-Z_.]+)"', text))
        used |= (
            {f"widget.{key}" for key in re.findall(r'\bt\("([a-z]+)"', text)} if script.name == "widget.js" else set()
        )
    return used


def test_english_and_french_catalogues_have_the_same_keys_and_no_blanks():
    english, french = catalogue("en"), catalogue("fr")

    assert set(english) == set(french)
    assert all(value.strip() for value in [*english.values(), *french.values()])


def test_every_string_the_pages_use_is_in_the_catalogues():
    missing = keys_used_by_pages() - set(catalogue("en"))
    assert not missing


def test_placeholders_match_between_languages():
    english, french = catalogue("en"), catalogue("fr")
    for key, text in english.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", french[key])), key
