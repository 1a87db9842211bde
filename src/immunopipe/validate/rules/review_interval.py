"""The next review is planned within three years of the last one (a warning otherwise).

The interval is counted from ``last_reviewed``, or from ``published`` while the article has not
been reviewed yet.

Passes::

    dates: {published: "2025-01-10", last_reviewed: "2026-01-10", next_review: "2029-01-10"}

Fails (warning: three years and a day)::

    dates: {published: "2025-01-10", last_reviewed: "2026-01-10", next_review: "2029-01-11"}
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import parse_date
from immunopipe.validate.context import Finding, RuleContext

ID = "review-interval"
SEVERITY = Severity.WARNING
SUMMARY = "The next review is at most three years after the last review."
STANDARD = "NHS Standard for Creating Health Content (planned review cycle); PIF TICK"

MAX_YEARS = 3


def years_after(start: date, years: int) -> date:
    """The same calendar day ``years`` later (28 February for a 29 February start; at most 9999-12-31)."""
    if start.year + years > date.max.year:
        return date.max
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    dates = article["editorial"]["dates"]
    next_review = parse_date(dates["next_review"])
    label, start = "last review", parse_date(dates["last_reviewed"])
    if start is None:
        label, start = "publication", parse_date(dates["published"])
    if next_review and start and next_review > years_after(start, MAX_YEARS):
        yield Finding(
            "/editorial/dates/next_review",
            f"the next review ({next_review}) is more than {MAX_YEARS} years after the {label} ({start}): "
            "plan it sooner",
        )
