"""The schema and its two validators: strict, documented, offline, and in agreement."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immunopipe.load import load_bytes
from immunopipe.validate.schema import SchemaChecker, SchemaUnavailable, _detailed_validator, load_schema

REMOTE = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "https://example.org/x.json"}


@pytest.fixture(scope="module")
def checker() -> SchemaChecker:
    return SchemaChecker()


@pytest.fixture(scope="module")
def seed_data(seed_text: str) -> dict[str, Any]:
    return load_bytes(seed_text.encode()).data


def _objects(node: object) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def test_schema_is_strict_and_documented() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("urn:immunopipe:schema:article:")
    for obj in _objects(schema):
        assert obj.get("additionalProperties") is False
        for name, prop in obj["properties"].items():
            assert prop.get("description"), name


def test_installed_schema_is_the_repository_schema() -> None:
    repo_schema = Path(__file__).resolve().parents[1] / "schema" / "article.schema.json"
    assert json.loads(repo_schema.read_text()) == load_schema()


def test_remote_refs_are_never_fetched() -> None:
    with pytest.raises(SchemaUnavailable, match=r"Retrieval is disabled|not present"):
        SchemaChecker(REMOTE)
    with pytest.raises(Exception, match=r"Unresolvable|example\.org"):
        _detailed_validator(REMOTE).is_valid({})


@pytest.mark.parametrize("value", ["abc\n", "abc\r\n"])
def test_patterns_do_not_accept_a_trailing_newline(checker: SchemaChecker, seed_data: dict, value: str) -> None:
    data = copy.deepcopy(seed_data)
    data["id"] = value
    assert not checker.is_valid(data)
    assert not checker.is_valid_detailed(data)


# Values that commonly trip one validator or the other.
AWKWARD = st.one_of(
    st.sampled_from(
        [
            "",
            "unknown",
            "2024-02-29",
            "2023-02-29",
            "2024-1-5",
            "2024-01-15\n",
            "20240115",
            "https://x.org",
            "http://",
            "https://a b",
            "javascript:alert(1)",
            "ftp://x.org/y",
            "en",
            "en-GB",
            "EN",
            "abc\n",
            "a--b",
            "-a",
            "a",
            "x" * 201,
            "é" * 200,
            "approved",
            "pending",
            "who-atc",
            "medicine",
            "class",
            "risk",
            None,
            True,
            0,
            3,
            3.0,
            -1,
            121,
            [],
            {},
        ]
    ),
    st.text(max_size=12),
    st.integers(),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += _paths(value, (*prefix, index))
    return paths


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_and_detailed_validators_agree(checker: SchemaChecker, seed_data: dict, data: st.DataObject) -> None:
    document = copy.deepcopy(seed_data)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "delete", "add-key"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add-key" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "id", "url", "date"]))] = data.draw(AWKWARD)
        else:
            parent[path[-1]] = data.draw(AWKWARD)
    assert checker.is_valid(document) == checker.is_valid_detailed(document)


def test_validators_agree_on_the_shipped_and_invalid_examples(checker: SchemaChecker, seed_data: dict) -> None:
    assert checker.is_valid(seed_data) and checker.is_valid_detailed(seed_data)
    for bad in ({}, [], "text", {"id": "x"}, {**seed_data, "extra": 1}):
        assert not checker.is_valid(bad) and not checker.is_valid_detailed(bad)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("0001-01-01", True), ("9999-12-31", True), ("2024-02-29", True), ("0000-01-01", False), ("2023-02-29", False),
     ("20240115", False), ("2024-1-15", False), ("\uff12\uff10\uff12\uff14-01-15", False)],
)  # fmt: skip
def test_both_validators_take_dates_from_year_1_to_9999(
    checker: SchemaChecker, seed_data: dict, value: str, valid: bool
) -> None:
    data = copy.deepcopy(seed_data)
    data["editorial"]["dates"]["published"] = value
    assert checker.is_valid(data) is valid
    assert (not list(_detailed_validator(checker._schema).iter_errors(data))) is valid
