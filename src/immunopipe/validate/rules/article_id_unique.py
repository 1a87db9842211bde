"""No two articles share an id (compared ignoring case).

The id names every export file (``<id>.json``, ``<id>.pdf``), so two articles with one id would
overwrite each other, and ids differing only in case collide on Windows and macOS file systems.

Passes: ``content/lupus.yaml`` with ``id: lupus`` and ``content/gout.yaml`` with ``id: gout``.

Fails: ``content/a.yaml`` and ``content/b.yaml`` both with ``id: lupus`` (or ``Lupus``).
"""

from __future__ import annotations

from collections.abc import Iterator

from immunopipe.diagnostics import Severity
from immunopipe.load import Document
from immunopipe.validate.context import Finding, RuleContext

ID = "duplicate-article-id"
SEVERITY = Severity.ERROR
SUMMARY = "Article ids are unique across all files (ignoring case): they name the exports."
STANDARD = "immunopipe data model"


def check_library(documents: list[Document], context: RuleContext) -> Iterator[tuple[Document, Finding]]:
    first: dict[str, Document] = {}
    for document in documents:
        key = str(document.data.get("id", "")).casefold()
        if key in first:
            other = first[key]
            line, _ = other.source_map.locate("/id")
            yield (
                document,
                Finding(
                    "/id",
                    f"article id '{document.data['id']}' is already used by {other.path}:{line}",
                ),
            )
        else:
            first[key] = document
