"""JSON export: schema-valid, normalised, deterministic documents and the sync index."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from immunopipe.article_schema import load_schema, schema_version
from immunopipe.export.json import IndexEntry, dump, render_article, render_index
from immunopipe.load import load_bytes
from immunopipe.model import Article, article_from_data
from immunopipe.schemas import SCHEMA_FILES, schema_id, standalone


@pytest.fixture(scope="module")
def seed_article(seed_text: str) -> Article:
    return article_from_data(load_bytes(seed_text.encode("utf-8")).data)


def validator_for(named: str) -> Draft202012Validator:
    """A validator for the schema a document names in ``$schema``, looked up by ``$id`` among the
    published standalone schemas (an empty registry otherwise: nothing is fetched)."""
    registry = Registry()
    for name in SCHEMA_FILES:
        registry = registry.with_resource(schema_id(name), Resource.from_contents(standalone(name)))
    schema = registry.contents(named)
    return Draft202012Validator(schema, registry=Registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_document_names_its_schema_and_validates_against_it(seed_article: Article) -> None:
    document = json.loads(render_article(seed_article))
    assert list(document) == ["$schema", "schema_version", "article"]
    assert document["$schema"] == schema_id("article-document") == "urn:immunopipe:schema:article-document:1.0.0"
    assert document["schema_version"] == schema_version() == load_schema()["$id"].rsplit(":", 1)[1]
    assert list(validator_for(document["$schema"]).iter_errors(document)) == []


def test_the_document_schema_refuses_a_broken_article(seed_article: Article) -> None:
    document = json.loads(render_article(seed_article))
    del document["article"]["language"]
    errors = list(validator_for(document["$schema"]).iter_errors(document))
    assert [error.message for error in errors] == ["'language' is a required property"]


def test_article_keys_follow_schema_order(seed_article: Article) -> None:
    article = json.loads(render_article(seed_article))["article"]
    schema = load_schema()
    assert list(article) == [key for key in schema["properties"] if key in article]
    editorial_order = list(schema["properties"]["editorial"]["properties"])
    assert list(article["editorial"]) == editorial_order
    code_order = list(schema["$defs"]["code"]["properties"])
    first_code = article["uses"][0]["conditions"][0]["codes"][0]
    assert list(first_code) == [key for key in code_order if key in first_code]


def test_every_fact_survives_a_round_trip(seed_article: Article, seed_facts: tuple[str, ...]) -> None:
    raw = render_article(seed_article)
    assert article_from_data(json.loads(raw)["article"]) == seed_article
    text = raw.decode("utf-8")
    missing = [fact for fact in seed_facts if fact not in text]
    assert missing == []


def test_utf8_without_escapes_and_with_final_newline(seed_article: Article) -> None:
    title = "Médicaments ≥ 2 — 免疫 😀"
    raw = render_article(dataclasses.replace(seed_article, title=title))
    assert title.encode("utf-8") in raw
    assert b"\\u" not in raw
    assert raw.endswith(b"}\n") and not raw.endswith(b"\n\n")
    assert raw.startswith(b'{\n  "$schema"')


def test_same_article_gives_identical_bytes(seed_article: Article, seed_text: str) -> None:
    again = article_from_data(load_bytes(seed_text.encode("utf-8")).data)
    assert render_article(seed_article) == render_article(again)


def test_index_lists_each_file_with_its_checksum(seed_article: Article) -> None:
    other = dataclasses.replace(seed_article, id="other-article", title="Another title")
    articles = (seed_article, other)
    entries = [
        IndexEntry(a.id, a.title, f"{a.id}.json", hashlib.sha256(render_article(a)).hexdigest()) for a in articles
    ]
    index = json.loads(render_index(entries))
    assert list(validator_for(index["$schema"]).iter_errors(index)) == []
    assert index["article_schema"] == load_schema()["$id"]
    assert index["schema_version"] == schema_version()
    assert index["articles"] == [
        {
            "id": article.id,
            "title": article.title,
            "file": f"{article.id}.json",
            "sha256": hashlib.sha256(render_article(article)).hexdigest(),
        }
        for article in articles
    ]


JSON_KEYS = st.text(max_size=8) | st.integers() | st.booleans() | st.none() | st.floats()
#: Any JSON value, with keys of every kind ``json.dumps`` takes and tuples beside lists.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(JSON_KEYS, children, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_dump_writes_the_bytes_of_json_dumps_for_any_value(value: object) -> None:
    assert dump(value) == (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def test_article_data_keeps_schema_order_and_leaves_out_absent_and_derived_fields(seed_article: Article) -> None:
    data = seed_article.to_data()
    order = list(load_schema()["properties"])
    assert list(data) == sorted(data, key=order.index)
    assert all(value is not None for value in data.values())
    assert Draft202012Validator(load_schema()).is_valid(data)  # closed: a derived field would fail it
