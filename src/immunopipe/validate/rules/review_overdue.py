"""The next review date has not passed (a warning: the content may be out of date).

Compared with today's date (injectable for tests through the rule context).

Passes (on 2026-11-26)::

    dates: {published: "2025-01-10", last_reviewed: "2026-01-10", next_review: "2027-01-10"}

Fails (warning, on 2026-11-26)::

    dates: {published: "2023-01-10", last_reviewed: "2024-01-10", next_review: "2025-01-10"}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import parse_date
from immunopipe.validate.context import Finding, RuleContext

ID = "review-overdue"
SEVERITY = Severity.WARNING
SUMMARY = "The next review date has not passed (stale content)."
STANDARD = "NHS Standard for Creating Health Content (planned review cycle); PIF TICK"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    next_review = parse_date(article["editorial"]["dates"]["next_review"])
    if next_review and next_review < context.today:
        days = (context.today - next_review).days
        yield Finding(
            "/editorial/dates/next_review",
            f"the review was due on {next_review} ({days} day{'s' if days != 1 else ''} ago): "
            "check the content, then update last_reviewed and next_review",
        )
