"""The funding statement is about funding, sponsorship or conflicts of interest.

Say who paid for the content and whether anyone involved has a conflict of interest, or say
that there is none or that the source states none. The text must mention funding, sponsorship,
payment, grants, advertising, independence or (conflicts of) interest.

Passes::

    funding: The source does not state any funding, sponsorship or conflicts of interest.

Fails (says nothing about funding)::

    funding: Written by our team.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "funding-statement"
SEVERITY = Severity.ERROR
SUMMARY = "A funding and conflict-of-interest statement is given (even if there is none)."
STANDARD = "HONcode financial disclosure; NHS Standard for Creating Health Content (sponsorship, conflicts)"

ABOUT_FUNDING = re.compile(
    r"fund|sponsor|conflict|interest|grant|paid|payment|advertis|independen|commercial|financ",
    re.IGNORECASE,
)


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    if not ABOUT_FUNDING.search(article["editorial"]["funding"]):
        yield Finding(
            "/editorial/funding",
            "the funding statement does not mention funding, sponsorship or conflicts of interest: "
            "say who funded the content, or that no funding or conflicts are stated",
        )
