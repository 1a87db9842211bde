"""JSON export: one normalised document per article, and an index for consumers that sync.

An article document is a small envelope around the validated article::

    {
      "$schema": "urn:immunopipe:schema:article-document:1.0.0",
      "schema_version": "<version of the article schema>",
      "article": { ...the article, keys in schema order... }
    }

The article schema is closed (``additionalProperties: false``), so the schema's name and version
cannot be added inside the article itself. ``$schema`` names the schema of the whole document
(``article-document.schema.json``), which refers to the article schema for ``article``; the
index names ``index.schema.json`` the same way (:mod:`immunopipe.schemas`). A translation's
document (``json/<id>.<lang>.json``) names ``translation-document.schema.json`` and adds
``translation``: its language and status; the index lists translations under ``translations``.
Files are UTF-8
without ASCII escaping, indented by two spaces, with a trailing newline, and identical for
identical content.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from immunopipe.article_schema import schema_version
from immunopipe.model import Article
from immunopipe.schemas import schema_id
from immunopipe.translation.model import Translation

INDEX_NAME = "index.json"


class IndexEntry(NamedTuple):
    """One line of the index: an article's id and title, its file's name and the file's SHA-256."""

    id: str
    title: str
    file_name: str
    sha256: str
    #: The language of a translation; ``None`` for the source article.
    language: str | None = None


def article_document(article: Article, translation: Translation | None = None) -> dict[str, Any]:
    """The exported JSON value of ``article``: the article with the schema it conforms to.

    A translated article names the translation document schema and also carries ``translation``:
    its language and how it was made and checked.
    """
    document = {
        "$schema": schema_id("translation-document" if translation else "article-document"),
        "schema_version": schema_version(),
        "article": article.to_data(),
    }
    if translation:
        document["translation"] = {"language": translation.language, "status": translation.status}
    return document


def render_article(article: Article, translation: Translation | None = None) -> bytes:
    """``article`` (translated, with ``translation``) as a normalised JSON document (see the module docstring)."""
    return dump(article_document(article, translation))


def render_index(entries: Sequence[IndexEntry]) -> bytes:
    """The index: the articles' schema, then per article its id, title, file name and SHA-256."""
    return dump(
        {
            "$schema": schema_id("index"),
            "article_schema": schema_id("article"),
            "schema_version": schema_version(),
            "articles": [
                {"id": entry.id, "title": entry.title, "file": entry.file_name, "sha256": entry.sha256}
                for entry in entries
                if entry.language is None
            ],
            "translations": [
                {
                    "id": entry.id,
                    "language": entry.language,
                    "title": entry.title,
                    "file": entry.file_name,
                    "sha256": entry.sha256,
                }
                for entry in entries
                if entry.language is not None
            ],
        }
    )


def dump(value: Any) -> bytes:
    """``value`` as UTF-8 JSON: no ASCII escaping, two-space indent, key order kept, final newline.

    The bytes are those of ``json.dumps(value, ensure_ascii=False, indent=2)``. That call encodes
    in Python whenever it indents; :func:`_indented` does the same for the values an export holds
    (texts encoded by the C encoder) in about a fifth of the time, and anything else (keys that
    are not text, other types) goes to ``json.dumps`` itself.
    """
    try:
        text = _indented(value, "\n")
    except _NotPlain:
        text = json.dumps(value, ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


class _NotPlain(Exception):
    """A value :func:`_indented` leaves to ``json.dumps``."""


def _indented(value: Any, newline: str) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it; ``newline`` starts its lines."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        if not all(type(key) is str for key in value):
            raise _NotPlain
        items = [f"{encode_basestring(key)}: {_indented(item, inner)}" for key, item in value.items()]
        return "{" + inner + f",{inner}".join(items) + newline + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + f",{inner}".join([_indented(item, inner) for item in value]) + newline + "]"
    if value is None or value is True or value is False or type(value) is int:
        return json.dumps(value)
    raise _NotPlain
