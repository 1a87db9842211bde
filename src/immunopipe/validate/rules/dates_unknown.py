"""Publication and review dates are known (a warning for each date still ``unknown``).

Readers judge how current information is from when it was published, last checked and will next
be checked. Write ``unknown`` when the source does not give a date; the warning names the date
that is missing until it is filled in. (``date-order`` checks the order of known dates.)

Passes::

    dates: {published: "2025-01-10", last_reviewed: "2026-01-10", next_review: "2027-01-10"}

Fails (warning, for ``next_review``)::

    dates: {published: "2025-01-10", last_reviewed: "2026-01-10", next_review: unknown}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import UNKNOWN
from immunopipe.validate.context import Finding, RuleContext

ID = "dates-unknown"
SEVERITY = Severity.WARNING
SUMMARY = "The published, last reviewed and next review dates are known."
STANDARD = "NHS Standard for Creating Health Content (dates last and next checked); PIF TICK; HONcode attribution"

WHAT = {
    "published": "when the article was first published",
    "last_reviewed": "when the content was last checked",
    "next_review": "when the content will next be checked",
}


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    dates = article["editorial"]["dates"]
    for key, meaning in WHAT.items():
        if dates[key] == UNKNOWN:
            yield Finding(f"/editorial/dates/{key}", f"{key} is unknown: add the date {meaning}")
