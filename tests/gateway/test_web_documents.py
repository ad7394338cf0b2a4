"""Every GraphQL document the web pages and the widget send is valid against the committed schema.

A renamed field or argument in the gateway otherwise shows only when a browser test happens to
take that path; this reads every document from the JavaScript source and validates it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, specified_rules, validate
from graphql.validation import NoUnusedFragmentsRule

from gateway.config import Settings
from gateway.limits.query_budget import Budget, budget_rule
from tests.support.js_documents import Unresolved, documents, scan

PUBLIC = Path(__file__).resolve().parents[2] / "gateway" / "web" / "public"
SCHEMA = build_schema((PUBLIC.parents[1] / "schema.graphql").read_text(encoding="utf-8"))
FILES = sorted(PUBLIC.rglob("*.js"))
# Documents whose root field is chosen at run time, with every value the page passes.
EXPANSIONS = {
    "coordinator.js": [{"name": "publishTask"}, {"name": "cancelTask"}],
    "volunteer.js": [
        {"name": "acceptOffer", "argument": "offerId"},
        {"name": "declineOffer", "argument": "offerId"},
        {"name": "withdrawFromTask", "argument": "taskId"},
    ],
    "volunteer-profile.js": [{"name": "pauseMe"}, {"name": "resumeMe"}],
}
# A fragment another page hands in: series-form.js is given coordinator.js's TaskFields.
PASSED_IN = {"series-form.js": {"fragment": ("coordinator.js", "TASK_FIELDS")}}
FRAGMENT_RULES = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]


def passed_in() -> dict[str, list[dict[str, str]]]:
    expansions = {}
    for file, names in PASSED_IN.items():
        values = {}
        for name, (source, const) in names.items():
            literal = next(lit for lit in scan((PUBLIC / "assets" / "js" / source).read_text()) if lit.name == const)
            assert not literal.expressions, f"{source}'s {const} must be a plain literal"
            values[name] = literal.pieces[0]
        expansions[file] = [values]
    return expansions


def all_documents():
    return documents(PUBLIC, FILES, EXPANSIONS | passed_in())


def test_every_document_of_the_pages_and_the_widget_is_valid_against_the_schema():
    found = all_documents()
    assert {doc.file for doc in found} >= {"widget.js", "volunteer.js", "coordinator.js", "admin.js", "index.js"}
    problems = []
    for doc in found:
        tree = parse(doc.text)
        fragments_only = all(d.kind == "fragment_definition" for d in tree.definitions)
        errors = validate(SCHEMA, tree, FRAGMENT_RULES if fragments_only else None)
        problems += [f"{doc.file}:{doc.line}: {error.message}" for error in errors]
    assert not problems, "\n".join(problems)


def test_every_operation_of_the_pages_is_within_the_gateways_default_query_budget():
    """A page whose query the gateway refuses as too costly shows nothing: caught here, not in a browser."""
    defaults = {
        name: Settings.model_fields[name].default
        for name in ("max_query_depth", "max_query_cost", "max_aliases", "max_page_size")
    }
    budget = Budget(
        defaults["max_query_depth"], defaults["max_query_cost"], defaults["max_aliases"], defaults["max_page_size"]
    )
    problems = []
    for doc in all_documents():
        tree = parse(doc.text)
        if all(d.kind == "fragment_definition" for d in tree.definitions):
            continue
        problems += [
            f"{doc.file}:{doc.line}: {error.message}" for error in validate(SCHEMA, tree, [budget_rule(budget)])
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("file, values", [(f, v) for f, alternatives in EXPANSIONS.items() for v in alternatives])
def test_each_listed_run_time_value_is_one_the_page_really_uses(file, values):
    source = next(path for path in FILES if path.name == file).read_text(encoding="utf-8")
    for value in values.values():
        assert f'"{value}"' in source


def test_a_renamed_field_or_an_unlisted_interpolation_is_caught(tmp_path):
    (tmp_path / "page.js").write_text(
        "const FIELDS = `fragment F on Task { id titel }`;\n"
        "const Q = `query Q { openTasks(first: 1) { nodes { ...F } } } ${FIELDS}`;\n"
        'request(`mutation { ${which}(id: "1") { __typename } }`);\n'
    )
    with pytest.raises(Unresolved, match="which"):
        documents(tmp_path, [tmp_path / "page.js"], {})
    found = documents(tmp_path, [tmp_path / "page.js"], {"page.js": [{"which": "cancelTask"}]})
    messages = [e.message for doc in found for e in validate(SCHEMA, parse(doc.text))]
    assert any("titel" in message for message in messages)


def test_the_reader_joins_concatenated_strings_and_skips_regular_expressions_and_comments():
    literals = scan(
        'var a = s.replace(/it\'s "x"/g, "");  // don\'t\n'
        'var Q = "query A {" +\n  " openTasks { totalCount } }";\n/* `not */\n'
    )
    query = next(lit for lit in literals if lit.name == "Q")
    assert query.pieces[0] + query.joined[0].pieces[0] == "query A { openTasks { totalCount } }"
