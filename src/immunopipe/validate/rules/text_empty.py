"""No text is empty or only spaces.

The schema already refuses ``""`` where text is required; this rule also catches text that is
only spaces or line breaks, which shows as a blank on the handout.

Passes::

    duration: These medications are often taken for life.

Fails::

    duration: "   "
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings

ID = "text-empty"
SEVERITY = Severity.ERROR
SUMMARY = "No text is empty or only spaces."
STANDARD = "immunopipe text hygiene"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for pointer, text in strings(article):
        if not text.strip():
            yield Finding(pointer, "the text is empty: write it, or remove the key if it is optional")
