"""A pending clinical review has no approval date.

A review ``date`` records when the content was approved, so a review that is still ``pending``
cannot have one: either the approval happened (set ``status: approved`` and name the reviewer)
or the date is wrong. (The schema already makes an approved review name its reviewer and date.)

Passes::

    clinical_review: {status: pending}

Fails::

    clinical_review: {status: pending, date: "2026-10-01"}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "clinical-review-consistent"
SEVERITY = Severity.ERROR
SUMMARY = "A pending clinical review has no approval date."
STANDARD = "NHS Standard for Creating Health Content (clinical approval by a named reviewer, with a date)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    review = article["editorial"]["clinical_review"]
    if review["status"] == "pending" and "date" in review:
        yield Finding(
            "/editorial/clinical_review/date",
            f"the review is pending but has an approval date ({review['date']}): record the approval with "
            f"`immunopipe review {article['id']} --approve`, or remove the date",
        )
