"""The publisher is named.

Readers need to know which organisation stands behind the information. The schema makes the
name required; this rule also refuses names that are not names (``unknown``, ``n/a``, ``none``).

Passes::

    publisher: {name: askvity, url: unknown}

Fails::

    publisher: {name: unknown, url: unknown}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.vocabulary import NOT_A_NAME

ID = "publisher-named"
SEVERITY = Severity.ERROR
SUMMARY = "The organisation that publishes the article is named."
STANDARD = "NHS Standard for Creating Health Content (say who published it); HONcode transparency"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    name = article["editorial"]["publisher"]["name"]
    if name.strip().casefold() in NOT_A_NAME:
        yield Finding(
            "/editorial/publisher/name",
            f"publisher name is '{name}': name the organisation that publishes this article",
        )
