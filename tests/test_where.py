"""Paths in messages name list items by id, in the article's words."""

from __future__ import annotations

from immunopipe.load import load_bytes
from immunopipe.validate.schema import SchemaChecker
from immunopipe.validate.where import describe

DATA = {
    "medicine_classes": [{"id": "steroids", "name": "x"}, {"id": "mtor-inhibitors", "mechanism": 3}],
    "glossary": [{"term": "biologic", "definition": "d"}],
    "tags": ["a", "b"],
    "a/b": {"c~d": 1},
}


def test_items_are_named_by_id_or_term_and_others_numbered_from_one() -> None:
    assert describe(DATA, "/medicine_classes/1/mechanism") == "medicine_classes > mtor-inhibitors > mechanism"
    assert describe(DATA, "/glossary/0/definition") == "glossary > biologic > definition"
    assert describe(DATA, "/tags/1") == "tags > item 2"
    assert describe(DATA, "/a~1b/c~0d") == "a/b > c~d"
    assert describe(DATA, "") == ""


def test_missing_key_message_names_the_item_by_id(seed_text: str) -> None:
    text = seed_text.replace("    mechanism: Suppress T-cell and B-cell proliferation.\n", "", 1)
    messages = [d.message for d in SchemaChecker().check(load_bytes(text.encode()))]
    assert messages == ["missing required key 'mechanism' in medicine_classes > mtor-inhibitors"]


def test_a_misspelt_required_key_is_one_error_at_the_typo(seed_text: str) -> None:
    text = seed_text.replace("\nlanguage: en\n", "\nlangauge: en\n", 1)
    line = text[: text.index("langauge")].count("\n") + 1
    diagnostics = SchemaChecker().check(load_bytes(text.encode()))
    assert [(d.line, d.column, d.rule, d.message) for d in diagnostics] == [
        (line, 1, "schema-unknown-key", "'langauge' should be 'language' (a required key): correct the spelling")
    ]
