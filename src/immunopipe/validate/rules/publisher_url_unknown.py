"""The publisher's website is given (a warning while it is ``unknown``).

Passes::

    publisher: {name: askvity, url: "https://www.askvity.com/"}

Fails (warning)::

    publisher: {name: askvity, url: unknown}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import UNKNOWN
from immunopipe.validate.context import Finding, RuleContext

ID = "publisher-url-unknown"
SEVERITY = Severity.WARNING
SUMMARY = "The publisher's website is given, so readers can check who stands behind the article."
STANDARD = "NHS Standard for Creating Health Content (say who published it); HONcode transparency"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    publisher = article["editorial"]["publisher"]
    if publisher["url"] == UNKNOWN:
        yield Finding(
            "/editorial/publisher/url",
            f"the website of the publisher '{publisher['name']}' is unknown: add it when you know it",
        )
