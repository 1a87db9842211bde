"""The disclaimer says the article does not replace professional advice.

The text must say that it does not replace (or is not a substitute for) advice, in one sentence,
and name who gives that advice: a doctor, nurse, pharmacist, GP, clinician, care team or health professional.

Passes::

    disclaimer: This information does not replace advice from your doctor, nurse or pharmacist.

Fails (does not send readers to a professional)::

    disclaimer: This information is for general education.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "disclaimer-advice"
SEVERITY = Severity.ERROR
SUMMARY = "The disclaimer says the article does not replace advice from a health professional."
STANDARD = "HONcode complementarity; NHS Standard for Creating Health Content"

NOT_A_REPLACEMENT = re.compile(
    r"(?:\b(?:not|never|no|nothing)|n['\u2019]t)\b[^.]{0,40}?\b(?:replace|substitute)", re.IGNORECASE
)
PROFESSIONAL = re.compile(
    r"\b(?:doctors?|nurses?|pharmacists?|GPs?|clinicians?|physicians?|midwi(?:fe|ves)|specialists?"
    r"|care team|(?:health ?care|health|medical) professionals?|professional (?:medical )?advice)\b",
    re.IGNORECASE,
)


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    text = article["editorial"]["disclaimer"]
    if not (NOT_A_REPLACEMENT.search(text) and PROFESSIONAL.search(text)):
        yield Finding(
            "/editorial/disclaimer",
            "the disclaimer must say that this information does not replace advice from a doctor, nurse, "
            "pharmacist or other health professional",
        )
