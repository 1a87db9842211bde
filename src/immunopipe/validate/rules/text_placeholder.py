"""No placeholder text is left in the article.

Flags ``TODO``, ``TBD``, ``TBC``, ``FIXME`` and ``XXX`` (in capitals), ``lorem ipsum``, bracketed
prompts such as ``[insert date]`` or ``[add source]``, and ``???``. The article template of
``immunopipe new`` uses ``TODO``, so this rule lists what is still to write. ``unknown`` is not
a placeholder: it is the honest value where the source does not say, and other rules report it.

Passes::

    title: What is immune system medicine used for?

Fails::

    title: TODO write the question this article answers
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings

ID = "text-placeholder"
SEVERITY = Severity.ERROR
SUMMARY = "No placeholder text (TODO, TBD, lorem ipsum, [insert ...]) is left."
STANDARD = "immunopipe text hygiene"

PLACEHOLDER = re.compile(
    r"\b(?:TODO|TBD|TBC|FIXME|XXX)\b"
    r"|(?i:\blorem ipsum\b)"
    r"|(?i:\[\s*(?:insert|add|enter|placeholder)\b[^\]]*\])"
    r"|\?{3,}"
)


#: Text :data:`PLACEHOLDER` can match holds one of these (``orem`` after lowercasing, for lorem ipsum).
_CLUES = ("TODO", "TBD", "TBC", "FIXME", "XXX", "???", "[")


def may_hold_placeholder(text: str) -> bool:
    """False when :data:`PLACEHOLDER` cannot match ``text``: a quick look before the search."""
    return any(clue in text for clue in _CLUES) or "orem" in text.lower()


def holds_placeholder(text: str) -> bool:
    """Whether ``text`` holds a placeholder."""
    return may_hold_placeholder(text) and PLACEHOLDER.search(text) is not None


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    texts = strings(article)
    if not holds_placeholder("\n".join(text for _, text in texts)):
        return  # one look at all the text clears the usual, finished article
    for pointer, text in texts:
        match = PLACEHOLDER.search(text)
        if match:
            yield Finding(pointer, f"placeholder '{match.group()}' is still in the text: write the real text")
