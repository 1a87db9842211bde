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

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings
from immunopipe.validate.vocabulary import PLACEHOLDER, holds_placeholder

ID = "text-placeholder"
SEVERITY = Severity.ERROR
SUMMARY = "No placeholder text (TODO, TBD, lorem ipsum, [insert ...]) is left."
STANDARD = "immunopipe text hygiene"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    texts = strings(article)
    if not holds_placeholder("\n".join(text for _, text in texts)):
        return  # one look at all the text clears the usual, finished article
    for pointer, text in texts:
        match = PLACEHOLDER.search(text)
        if match:
            yield Finding(pointer, f"placeholder '{match.group()}' is still in the text: write the real text")
