"""A contact gives a way to reach someone: a ``url``, or an email address, web address or phone
number in its text.

Passes::

    contact: {text: "Email feedback@example.org with questions."}

Fails (no way to get in touch)::

    contact: {text: "Contact us."}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext

ID = "contact-route"
SEVERITY = Severity.ERROR
SUMMARY = "A contact gives a web page, email address or phone number."
STANDARD = "NHS Standard for Creating Health Content (invite feedback); PIF TICK; HONcode transparency"

ROUTE = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email address
    r"|https?://\S+|\bwww\.\S+"  # web address
    r"|\+?\d[\d ()-]{5,}\d"  # phone number
)


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    contact = article["editorial"]["contact"]
    if isinstance(contact, dict) and "url" not in contact and not ROUTE.search(contact["text"]):
        yield Finding(
            "/editorial/contact/text",
            "the contact gives no way to reach you: add a url, or an email address or phone number to the text",
        )
