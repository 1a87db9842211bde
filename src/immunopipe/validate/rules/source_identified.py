"""Every source is identified by a real title and publisher.

The schema requires each source's title, publisher, URL (or ``unknown``) and access date; this
rule refuses a title or publisher written ``unknown`` (or ``n/a``, ``none``), since a source
nobody can identify cannot be checked.

Passes::

    sources:
      - {id: who-icd-10-2019, title: "ICD-10, version 2019", publisher: World Health Organization,
         url: "https://icd.who.int/browse10/2019/en", accessed: "2026-11-26"}

Fails::

    sources:
      - {id: leaflet, title: unknown, publisher: unknown, url: unknown, accessed: "2026-11-26"}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.vocabulary import NOT_A_NAME

ID = "source-identified"
SEVERITY = Severity.ERROR
SUMMARY = "Every source has a real title and publisher."
STANDARD = "HONcode attribution; PIF TICK (evidence sources); NHS Standard (record of evidence sources)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for index, source in enumerate(article["editorial"]["sources"]):
        for key in ("title", "publisher"):
            if source[key].strip().casefold() in NOT_A_NAME:
                yield Finding(
                    f"/editorial/sources/{index}/{key}",
                    f"source '{source['id']}' has {key} '{source[key]}': give the {key} so readers can find it",
                )
