"""Every medical code has the shape its code system uses.

* ``who-atc``: a level 1-5 ATC code, e.g. ``L``, ``L04``, ``L04A``, ``L04AD``, ``L04AD01``;
* ``who-icd-10``: a category, optionally with one subdivision digit, e.g. ``M32``, ``T86.1``;
* ``icd-10-cm``: a category with up to four characters after the dot, e.g. ``G35.A``;
* ``who-icd-11-mms``: a stem code, e.g. ``FA20`` or ``4A40.0``;
* ``rxnorm``: a numeric RxCUI, e.g. ``42316``.

Passes::

    {system: who-atc, version: "2026", code: L04AD01, source: who-atc-ddd-2026}

Fails (an ICD-10 code in an ATC slot)::

    {system: who-atc, version: "2026", code: M32, source: who-atc-ddd-2026}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext, walk

ID = "code-format"
SEVERITY = Severity.ERROR
SUMMARY = "Medical codes match the format of their code system."
STANDARD = "WHO ATC, WHO ICD-10, ICD-10-CM, WHO ICD-11, RxNorm"

FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "who-atc": (re.compile(r"[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?"), "e.g. L04AD01"),
    "who-icd-10": (re.compile(r"[A-Z][0-9]{2}(?:\.[0-9])?"), "e.g. M32 or T86.1"),
    "icd-10-cm": (re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"), "e.g. G35.A"),
    "who-icd-11-mms": (
        re.compile(r"[0-9A-Z]{2}[0-9]{2}(?:\.[0-9A-Z]{1,2})?|[0-9A-Z]{4}(?:\.[0-9A-Z]{1,2})?"),
        "e.g. FA20 or 4A40.0",
    ),
    "rxnorm": (re.compile(r"[1-9][0-9]{0,9}"), "a number such as 42316"),
}


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for pointer, node in walk(article):
        system, code = node.get("system"), node.get("code")
        if system not in FORMATS or not isinstance(code, str):
            continue
        pattern, example = FORMATS[system]
        if not pattern.fullmatch(code):
            yield Finding(f"{pointer}/code", f"'{code}' is not a valid {system} code ({example})")
