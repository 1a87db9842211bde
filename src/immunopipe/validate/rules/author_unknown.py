"""The author is named with their credentials (a warning while ``unknown``).

Write ``unknown`` when the source names no author: the article can still be published, but
readers cannot judge the author's authority, so the warning stays until the author is known.

Passes::

    author: {name: Dr Jane Doe, credentials: Consultant rheumatologist}

Fails (warning)::

    author: unknown
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import UNKNOWN
from immunopipe.validate.context import Finding, RuleContext

ID = "author-unknown"
SEVERITY = Severity.WARNING
SUMMARY = "The author is named with their credentials."
STANDARD = "HONcode authority; NHS Standard for Creating Health Content (accountability)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    if article["editorial"]["author"] == UNKNOWN:
        yield Finding(
            "/editorial/author",
            "the author is unknown: add their name and credentials when you know them",
        )
