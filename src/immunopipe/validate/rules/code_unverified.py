"""A code immunopipe cannot check is reported as such, never passed as valid (a warning).

immunopipe checks ``who-icd-10`` codes of edition 2019 and ``icd-10-cm`` codes of FY2026
against their classification packages, and ``who-atc`` and ``rxnorm`` codes against its cited
table. Any other edition (ICD-10-CM FY2025, say), any ``who-icd-11-mms`` code (no offline
source carries ICD-11) and any ATC or RxNorm code missing from the table cannot be verified:
check it against the authority yourself, or add a cited row to the table.

Passes::

    - {system: icd-10-cm, version: "2026", code: G35.D, source: icd-10-cm-2026}

Fails (warning: the installed package carries FY2026 only)::

    - {system: icd-10-cm, version: "2025", code: G35, source: icd-10-cm-2025}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext, walk
from immunopipe.validate.reference import official

ID = "code-unverified"
SEVERITY = Severity.WARNING
SUMMARY = "Codes no carried source covers are reported as 'cannot verify' (warning)."
STANDARD = "WHO ICD-10, ICD-10-CM, WHO ICD-11, WHO ATC/DDD Index, RxNorm (editions immunopipe carries)"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for pointer, node in walk(article):
        if "system" not in node or "code" not in node or "version" not in node:
            continue
        verdict = official(node["system"], node["code"], node["version"])
        if verdict.status == "unverified":
            yield Finding(
                f"{pointer}/code",
                f"cannot verify {node['system']} {node['version']} {node['code']}: {verdict.reason}; "
                "check it against the authority",
            )
