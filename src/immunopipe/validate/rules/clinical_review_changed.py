"""An approved article still says what its reviewer approved (a warning; ``--strict`` fails).

``immunopipe review ID --approve`` records, with the reviewer and date, a digest of every
reviewed fact (what the article says, not how the YAML is written). Any fact changed, added or
removed since then makes the article "changed since review": each one is named, and handouts
say "not yet clinically reviewed" until the reviewer approves again (``immunopipe review ID``
shows the changes). An approval written by hand, without the digests, is reported too.

Passes (approved with ``immunopipe review``, unchanged since)::

    clinical_review:
      status: approved
      reviewer: {name: Dr Jane Doe, credentials: Consultant rheumatologist}
      date: "2026-12-01"
      digest: sha256:...
      facts: {title: 1f0c..., summary: 9a3e..., ...}

Fails (warning: the summary was edited after approval)::

    summary: A new key message.
    editorial:
      clinical_review: {status: approved, ..., facts: {summary: 9a3e..., ...}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.review.facts import check_approval, reviewed_facts
from immunopipe.validate.context import Finding, RuleContext

ID = "clinical-review-changed"
SEVERITY = Severity.WARNING
SUMMARY = "An approved article's reviewed facts have not changed since the approval."
STANDARD = "NHS Standard for Creating Health Content; PIF TICK (clinical sign-off of the content published)"

_REVIEW = "/editorial/clinical_review"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    check = check_approval(article)
    if check is None or check.current:
        return
    review = article["editorial"]["clinical_review"]
    if not check.recorded:
        yield Finding(
            f"{_REVIEW}/status",
            "the approval records no digest of the facts reviewed, or one that does not match them: "
            f"record it with `immunopipe review {article['id']} --approve`",
        )
        return
    since = f"changed since review on {review['date']} by {review['reviewer']['name']}"
    pointers = {fact_id: pointer for fact_id, (pointer, _value) in reviewed_facts(article).items()}
    for fact_id in check.changed:
        yield Finding(pointers[fact_id], f"{since}: fact {fact_id} changed")
    for fact_id in check.added:
        yield Finding(pointers[fact_id], f"{since}: fact {fact_id} is new")
    for fact_id in check.removed:
        yield Finding(f"{_REVIEW}/facts", f"{since}: fact {fact_id} was removed")
