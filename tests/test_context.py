"""The shared walk rules see: every value with its JSON pointer, depth first, in document order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.load import load_bytes
from immunopipe.validate.context import nodes, walk

ODD = {"a/b": {"c~d": [1, {"e": None}]}, "n": {1: "one"}, "b": {True: "yes"}, "list": [[[]], {}], "": ""}


def in_document_order(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """The walk as RFC 6901 and a recursive reading of the article spell it out."""
    yield pointer, node
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in children:
        token = str(key).replace("~", "~0").replace("/", "~1")
        yield from in_document_order(value, f"{pointer}/{token}")


def test_every_value_comes_with_its_pointer_in_document_order(seed_text: str) -> None:
    article = load_bytes(seed_text.encode()).data
    assert list(nodes(article)) == list(in_document_order(article))
    assert list(nodes(ODD)) == list(in_document_order(ODD))
    assert [pointer for pointer, _ in nodes(ODD)][:5] == ["", "/a~1b", "/a~1b/c~0d", "/a~1b/c~0d/0", "/a~1b/c~0d/1"]
    assert ("/n/1", "one") in nodes(ODD) and ("/b/True", "yes") in nodes(ODD)


def test_each_article_is_walked_afresh() -> None:
    first, second = {"a": {"b": 1}}, {"a": {"c": 2}}
    assert [pointer for pointer, _ in walk(first)] == ["", "/a"]
    assert [pointer for pointer, _ in nodes(second)] == ["", "/a", "/a/c"]
    assert nodes(second) is nodes(second)  # remembered for the article being checked
