"""Each editorial query names a fact of the article and a source it lists.

``fact`` is a review id (``title``, ``summary``, ``uses/<id>``, ``conditions/<id>``,
``medicine-classes/<id>``, ``medicines/<id>``, ``considerations/<id>`` or ``glossary/<term>``;
``immunopipe review ID`` lists them) and ``source`` the ``id`` of an entry of
``editorial.sources``: a query about nothing, or without its evidence, cannot be answered.

Passes::

    queries:
      - {id: q1, fact: conditions/lupus, question: ..., source: who-icd-10-2019, state: open}

Fails (no condition ``lupu``)::

    queries:
      - {id: q1, fact: conditions/lupu, question: ..., source: who-icd-10-2019, state: open}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.review.facts import reviewed_facts
from immunopipe.validate.context import Finding, RuleContext

ID = "clinical-review-query-target"
SEVERITY = Severity.ERROR
SUMMARY = "Editorial queries name a fact of the article and a listed source."
STANDARD = "immunopipe data model"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    queries = article.get("queries", [])
    if not queries:
        return
    facts = reviewed_facts(article)
    sources = {source["id"] for source in article["editorial"]["sources"]}
    for index, query in enumerate(queries):
        if query["fact"] not in facts:
            kind = query["fact"].split("/")[0]
            same_kind = [fact for fact in facts if fact.split("/")[0] == kind][:6]
            hint = f" (e.g. {', '.join(same_kind)})" if same_kind else " (see `immunopipe review ID`)"
            yield Finding(
                f"/queries/{index}/fact",
                f"query '{query['id']}' is about '{query['fact']}', which is not a fact of this article{hint}",
            )
        if query["source"] not in sources:
            yield Finding(
                f"/queries/{index}/source",
                f"query '{query['id']}' cites source '{query['source']}', which editorial.sources does not list",
            )
