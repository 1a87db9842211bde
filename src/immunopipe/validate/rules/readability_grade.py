"""Each piece of prose reads at or below the target school grade (a warning above it).

Every sentence-bearing field readers see (summary, descriptions, how the medicine helps,
mechanisms, considerations, editorial statements, glossary definitions) is scored on its own
with the Flesch-Kincaid grade and Flesch Reading Ease, computed offline (see
``immunopipe.validate.readability``). A field whose grade is above the maximum, 8 by default
(US bodies ask for grade 6-8; the UK's reading age 9-11 is about grade 4-6), gets a warning
with both scores and its hardest words. Set ``readability.max-grade`` under
``[tool.immunopipe]`` to change the maximum. Only English articles (``language: en`` or
``en-XX``) are scored: the formulas are for English. Text still holding a placeholder is left
to ``text-placeholder``: unfinished text has no meaningful score.

Passes (grade 5.2)::

    description: A disease affecting the brain and spinal cord.

Fails (warning: grade 15.5)::

    mechanism: Interfere with DNA synthesis and cell proliferation, impacting immune cell function.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.options import NumberOption, option_key
from immunopipe.validate.readability import hardest_words, score, words
from immunopipe.validate.text import prose
from immunopipe.validate.vocabulary import holds_placeholder

ID = "readability-grade"
SEVERITY = Severity.WARNING
SUMMARY = "Each prose field reads at or below the maximum Flesch-Kincaid grade (default 8)."
STANDARD = "PIF TICK and NHS (reading age 9-11); US health literacy guidance (grade 6-8); PEMAT-P"

#: Settings under ``[tool.immunopipe]``: ``readability.max-grade`` (see :mod:`immunopipe.validate.options`).
CONF_TABLE = "readability"
CONF = {"max-grade": NumberOption(low=1, high=20, help="readability-grade warns above this grade")}
DEFAULT = {"max-grade": 8.0}
MAX_GRADE = option_key(CONF_TABLE, "max-grade")


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    if article["language"].split("-")[0] != "en":
        return
    max_grade = float(context.options.get(MAX_GRADE, DEFAULT["max-grade"]))
    for pointer, text in prose(article):
        if holds_placeholder(text):
            continue
        found = words(text)  # once, for both the score and the hardest words
        scores = score(text, found)
        if scores.grade > max_grade:
            hard = hardest_words(text, found=found)
            hint = f"; hardest words: {', '.join(hard)}" if hard else ""
            yield Finding(
                pointer,
                f"reading grade {scores.grade:.1f} is above {max_grade:g} (reading ease {scores.reading_ease:.0f}): "
                f"use shorter sentences and everyday words{hint}",
            )
