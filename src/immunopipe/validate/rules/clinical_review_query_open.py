"""No editorial query is waiting for the clinical reviewer (a warning).

A query asks the reviewer about one fact, with the evidence that raised it. While it is
``open`` it is listed by ``immunopipe review`` and blocks ``--approve``; the reviewer answers it
(``state: resolved`` with an ``answer``). Queries appear in the JSON and CSV exports, never on
a handout.

Passes::

    queries:
      - {id: q1, fact: conditions/lupus, question: ..., source: s1, state: resolved, answer: ...}

Fails (warning)::

    queries:
      - {id: q1, fact: conditions/lupus, question: ..., source: s1, state: open}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "clinical-review-query-open"
SEVERITY = Severity.WARNING
SUMMARY = "No editorial query on a fact is still open for the clinical reviewer."
STANDARD = "NHS Standard for Creating Health Content (evidence record); PIF TICK (evidence-based)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for index, query in enumerate(article.get("queries", [])):
        if query["state"] == "open":
            yield Finding(
                f"/queries/{index}/state",
                f"query '{query['id']}' on {query['fact']} is open: {query['question']}",
            )
