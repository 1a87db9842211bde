"""Every source has a web address (a warning while it is ``unknown``).

Passes::

    - {id: nlm-rxnorm, title: RxNorm, publisher: U.S. National Library of Medicine,
       url: "https://www.nlm.nih.gov/research/umls/rxnorm/index.html", accessed: "2026-11-26"}

Fails (warning)::

    - {id: leaflet, title: Immune system medicine, publisher: askvity, url: unknown,
       accessed: "2026-11-26"}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import UNKNOWN
from immunopipe.validate.context import Finding, RuleContext

ID = "source-url-unknown"
SEVERITY = Severity.WARNING
SUMMARY = "Every source has a web address readers can follow."
STANDARD = "HONcode attribution; PIF TICK (evidence sources)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for index, source in enumerate(article["editorial"]["sources"]):
        if source["url"] == UNKNOWN:
            yield Finding(
                f"/editorial/sources/{index}/url",
                f"the web address of source '{source['id']}' is unknown: add it when you know it",
            )
