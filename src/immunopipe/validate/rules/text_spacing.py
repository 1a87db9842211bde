"""Text has no doubled spaces, tabs, or spaces at its start or end.

Doubled spaces and stray spaces usually mark an edit left half done, and they change how names
match and sort. Every string of the article is checked; folded YAML text (``>-``) joins lines
with single spaces, so line wrapping in the file is fine.

Passes::

    summary: Immune system medicine calms the immune system.

Fails (two spaces after ``medicine``)::

    summary: "Immune system medicine  calms the immune system."
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings

ID = "text-spacing"
SEVERITY = Severity.ERROR
SUMMARY = "No doubled spaces, tabs, or leading or trailing spaces in any text."
STANDARD = "immunopipe text hygiene"

PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\t"), "a tab"),
    (re.compile(r" {2,}"), "doubled spaces"),
    (re.compile(r"^ | $| \n"), "a space at the start or end of a line"),
)


def _may_have_problem(text: str) -> bool:
    """A quick look with string methods; the patterns then say exactly what is wrong."""
    return "\t" in text or "  " in text or " \n" in text or text.startswith(" ") or text.endswith(" ")


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    texts = strings(article)
    # All text at once, one per line: a space at a text's start shows as a line break and a space.
    everything = "\n".join(text for _pointer, text in texts)
    if not _may_have_problem(everything) and "\n " not in everything:
        return
    for pointer, text in texts:
        if not text.strip():
            continue  # text-empty reports it
        if not _may_have_problem(text):
            continue
        for pattern, what in PROBLEMS:
            match = pattern.search(text)
            if match:
                yield Finding(pointer, f"{what} at character {match.start() + 1}: use single spaces between words")
                break
