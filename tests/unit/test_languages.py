"""One list of languages (services/common/languages.py): every catalogue names each of them, and
names no other; the pages hold no copy and read it from GraphQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.common.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    *sorted((ROOT / "gateway/web/public/i18n").glob("*.json")),
    *sorted((ROOT / "services/notifications/catalogues").glob("*.json")),
]
PAGES = ROOT / "gateway/web/public"


def test_the_list_has_no_repeats_and_both_kinds_of_catalogue_exist():
    assert len(set(LANGUAGES)) == len(LANGUAGES)
    assert {path.parent.name for path in CATALOGUES} == {"i18n", "catalogues"}


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_each_catalogue_names_exactly_the_languages_of_the_list(catalogue):
    keys = json.loads(catalogue.read_text())
    named = {key.removeprefix("lang.") for key in keys if key.startswith("lang.")}
    assert named == set(LANGUAGES)
    assert all(keys[f"lang.{code}"].strip() for code in LANGUAGES)


def test_no_page_keeps_its_own_list_of_language_codes():
    rare = ('"prs"', '"fcs"', '"yue"')  # codes only a copied list would hold
    copies = [
        path.name
        for path in PAGES.rglob("*.js")
        if "node_modules" not in path.parts and any(code in path.read_text() for code in rare)
    ]
    assert copies == []
