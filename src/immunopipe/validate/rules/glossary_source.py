"""Each glossary definition rests on a source, or is marked as editorial wording for review (a warning).

A definition is medical content too: cite the entry of ``editorial.sources`` it comes from
(``source``), or say it is the publisher's own plain wording (``wording: editorial``) so the
clinical reviewer checks it as such.

Passes::

    glossary:
      - {term: biologic, definition: A medicine made using living cells., wording: editorial}

Fails (warning)::

    glossary:
      - {term: biologic, definition: A medicine made using living cells.}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "glossary-source"
SEVERITY = Severity.WARNING
SUMMARY = "Glossary definitions cite a source or are marked as editorial wording."
STANDARD = "PIF TICK (evidence-based, sources recorded); NHS Standard for Creating Health Content"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    sources = {source["id"] for source in article["editorial"]["sources"]}
    for index, entry in enumerate(article.get("glossary", [])):
        if "source" in entry and entry["source"] not in sources:
            yield Finding(
                f"/glossary/{index}/source",
                f"the definition of '{entry['term']}' cites source '{entry['source']}', which editorial.sources "
                "does not list",
            )
        elif "source" not in entry and entry.get("wording") != "editorial":
            yield Finding(
                f"/glossary/{index}/definition",
                f"the definition of '{entry['term']}' names no source: cite one (source: <id>) or mark it "
                "wording: editorial for the clinical reviewer",
            )
