"""No two articles share an id (compared ignoring case).

The id names every export file (``<id>.json``, ``<id>.pdf``), so two articles with one id would
overwrite each other, and ids differing only in case collide on Windows and macOS file systems.

Passes: ``content/lupus.yaml`` with ``id: lupus`` and ``content/gout.yaml`` with ``id: gout``.

Fails: ``content/a.yaml`` and ``content/b.yaml`` both with ``id: lupus`` (or ``Lupus``).
"""

from __future__ import annotations

from collections.abc import Iterator

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import ArticleRef, Finding, RuleContext

ID = "duplicate-article-id"
SEVERITY = Severity.ERROR
SUMMARY = "Article ids are unique across all files (ignoring case): they name the exports."
STANDARD = "immunopipe data model"


def check_library(articles: list[ArticleRef], context: RuleContext) -> Iterator[tuple[ArticleRef, Finding]]:
    first: dict[str, ArticleRef] = {}
    for article in articles:
        key = article.id.casefold()
        if key in first:
            other = first[key]
            message = f"article id '{article.id}' is already used by {other.path}:{other.id_position[0]}"
            yield article, Finding("/id", message)
        else:
            first[key] = article
