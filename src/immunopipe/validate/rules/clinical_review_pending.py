"""The content has been clinically approved (a warning while review is ``pending``).

``immunopipe review ID`` shows the reviewer what to check; ``--approve`` records the approval
(see ``clinical-review-changed``).

Passes::

    clinical_review:
      status: approved
      reviewer: {name: Dr Jane Doe, credentials: Consultant rheumatologist}
      date: "2026-10-01"

Fails (warning)::

    clinical_review:
      status: pending
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "clinical-review-pending"
SEVERITY = Severity.WARNING
SUMMARY = "A named clinician has approved the content (warns while review is pending)."
STANDARD = "NHS Standard for Creating Health Content (clinical approval by a named reviewer)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    if article["editorial"]["clinical_review"]["status"] == "pending":
        yield Finding(
            "/editorial/clinical_review/status",
            "not yet clinically reviewed: once a clinician approves it, record that with "
            f"`immunopipe review {article['id']} --approve --reviewer NAME --role ROLE`",
        )
