"""Dates are in order and none of the past ones lies in the future.

``published`` <= ``last_reviewed`` < ``next_review``; ``published``, ``last_reviewed``, the
clinical review date and every source's ``accessed`` date are not after today. Dates written
``unknown`` are skipped (other rules report them).

Passes::

    dates: {published: "2025-01-10", last_reviewed: "2026-01-10", next_review: "2027-01-10"}

Fails (reviewed before it was published)::

    dates: {published: "2026-03-01", last_reviewed: "2025-01-10", next_review: "2027-01-10"}
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "date-order"
SEVERITY = Severity.ERROR
SUMMARY = "published <= last_reviewed < next_review, and no past date lies in the future."
STANDARD = "NHS Standard for Creating Health Content (review dates)"


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value != "unknown" else None
    except ValueError:
        return None


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    editorial = article.get("editorial", {})
    dates = editorial.get("dates", {})
    published = _date(dates.get("published"))
    reviewed = _date(dates.get("last_reviewed"))
    next_review = _date(dates.get("next_review"))
    if published and reviewed and reviewed < published:
        yield Finding(
            "/editorial/dates/last_reviewed",
            f"last reviewed ({reviewed}) is before published ({published})",
        )
    if next_review and (reviewed or published) and next_review <= (reviewed or published):  # type: ignore[operator]
        label = "last reviewed" if reviewed else "published"
        yield Finding(
            "/editorial/dates/next_review",
            f"next review ({next_review}) must come after {label} ({reviewed or published})",
        )
    past = [("/editorial/dates/published", published), ("/editorial/dates/last_reviewed", reviewed)]
    past.append(("/editorial/clinical_review/date", _date(editorial.get("clinical_review", {}).get("date"))))
    past += [
        (f"/editorial/sources/{i}/accessed", _date(s.get("accessed")))
        for i, s in enumerate(editorial.get("sources", []))
    ]
    for pointer, value in past:
        if value and value > context.today:
            yield Finding(pointer, f"{value} is in the future (today is {context.today})")
