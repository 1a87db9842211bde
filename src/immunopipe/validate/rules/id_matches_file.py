"""An article's ``id`` matches its file name.

Exports are named after the id, so ``content/lupus.yaml`` with ``id: sle`` produces
``exports/json/sle.json``: surprising for whoever looks for the file later. A warning, since the
export still works.

Passes: ``content/immune-system-medicine.yaml`` with ``id: immune-system-medicine``.

Fails: ``content/immune.yaml`` with ``id: immune-system-medicine``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import ArticleRef, Finding, RuleContext

ID = "id-matches-file"
SEVERITY = Severity.WARNING
SUMMARY = "An article's id matches its file name, so exports are easy to find."
STANDARD = "immunopipe conventions"


def check_library(articles: list[ArticleRef], context: RuleContext) -> Iterator[tuple[ArticleRef, Finding]]:
    for article in articles:
        stem = PurePath(article.path).stem
        if article.id != stem:
            yield article, Finding("/id", f"id '{article.id}' differs from the file name '{stem}'; rename one of them")
