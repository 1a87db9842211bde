"""The id rules the code applies are the ones the schema states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from immunopipe.ids import ID_MAX_LENGTH, ID_PATTERN, RESERVED_IDS

SCHEMA = Path(__file__).resolve().parents[1] / "schema" / "article.schema.json"


def test_the_schema_states_the_same_id_pattern_and_length() -> None:
    id_schema = json.loads(SCHEMA.read_text("utf-8"))["$defs"]["id"]
    assert id_schema["pattern"] == f"^{ID_PATTERN.pattern}$"
    assert id_schema["maxLength"] == ID_MAX_LENGTH


@pytest.mark.parametrize("article_id", ["lupus", "type-1-diabetes", "b12"])
def test_slugs_match(article_id: str) -> None:
    assert ID_PATTERN.fullmatch(article_id)


@pytest.mark.parametrize("article_id", ["", "Lupus", "-lupus", "lupus-", "two--hyphens", "a_b", "a.b", "a/b"])
def test_anything_else_does_not(article_id: str) -> None:
    assert not ID_PATTERN.fullmatch(article_id)


def test_every_reserved_name_is_an_id_the_schema_would_accept() -> None:
    assert {"index", "con", "nul", "com1", "lpt9"} <= RESERVED_IDS.keys()
    assert all(ID_PATTERN.fullmatch(name) for name in RESERVED_IDS)
