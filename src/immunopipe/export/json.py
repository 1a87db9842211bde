"""JSON export: one normalised document per article, and an index for consumers that sync.

An article document is a small envelope around the validated article::

    {
      "$schema": "<$id of the article schema>",
      "schema_version": "<x-schema-version of that schema>",
      "article": { ...the article, keys in schema order... }
    }

The article schema is closed (``additionalProperties: false``), so the schema's name and version
cannot be added inside the article itself; ``article`` validates against the schema that
``$schema`` names. Files are UTF-8 without ASCII escaping, indented by two spaces, with a
trailing newline, and identical for identical content.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from immunopipe.article_schema import load_schema, schema_version
from immunopipe.model import Article

INDEX_NAME = "index.json"


class IndexEntry(NamedTuple):
    """One line of the index: an article's id and title, its file's name and the file's SHA-256."""

    id: str
    title: str
    file_name: str
    sha256: str


def article_document(article: Article) -> dict[str, Any]:
    """The exported JSON value of ``article``: the article with the schema it conforms to."""
    return {
        "$schema": load_schema()["$id"],
        "schema_version": schema_version(),
        "article": article.to_data(),
    }


def render_article(article: Article) -> bytes:
    """``article`` as a normalised JSON document (see the module docstring)."""
    return dump(article_document(article))


def render_index(entries: Sequence[IndexEntry]) -> bytes:
    """The index: the articles' schema, then per article its id, title, file name and SHA-256."""
    return dump(
        {
            "article_schema": load_schema()["$id"],
            "schema_version": schema_version(),
            "articles": [
                {"id": entry.id, "title": entry.title, "file": entry.file_name, "sha256": entry.sha256}
                for entry in entries
            ],
        }
    )


def dump(value: Any) -> bytes:
    """``value`` as UTF-8 JSON: no ASCII escaping, two-space indent, key order kept, final newline."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
