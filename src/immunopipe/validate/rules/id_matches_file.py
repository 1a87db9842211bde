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
from immunopipe.load import Document
from immunopipe.validate.context import Finding, RuleContext

ID = "id-matches-file"
SEVERITY = Severity.WARNING
SUMMARY = "An article's id matches its file name, so exports are easy to find."
STANDARD = "immunopipe conventions"


def check_library(documents: list[Document], context: RuleContext) -> Iterator[tuple[Document, Finding]]:
    for document in documents:
        stem = PurePath(document.path).stem
        article_id = document.data.get("id")
        if article_id != stem:
            yield (
                document,
                Finding(
                    "/id",
                    f"id '{article_id}' differs from the file name '{stem}'; rename one of them",
                ),
            )
