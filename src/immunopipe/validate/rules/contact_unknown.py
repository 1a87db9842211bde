"""Readers have a contact or feedback route (a warning while ``unknown``).

Passes::

    contact: {text: "Tell us what you think.", url: "https://example.org/feedback"}

Fails (warning)::

    contact: unknown
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.model import UNKNOWN
from immunopipe.validate.context import Finding, RuleContext

ID = "contact-unknown"
SEVERITY = Severity.WARNING
SUMMARY = "Readers have a way to give feedback or ask about the content."
STANDARD = "NHS Standard for Creating Health Content (invite feedback); PIF TICK; HONcode transparency"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    if article["editorial"]["contact"] == UNKNOWN:
        yield Finding(
            "/editorial/contact",
            "no contact or feedback route: add contact text with a web page, email address or phone number",
        )
