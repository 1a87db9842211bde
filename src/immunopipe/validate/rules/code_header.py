"""A condition is coded with a billable ICD-10-CM code, not a header (a warning).

In ICD-10-CM only codes without subdivisions are billable; a header such as ``G35`` (FY2026:
"Multiple sclerosis", split into G35.A, G35.B0-G35.B2, G35.C0-G35.C2 and G35.D) names a group
of diagnoses. A condition of an article claims one diagnosis, so its code should be billable
(plain multiple sclerosis is ``G35.D``, "Multiple sclerosis, unspecified"). When the group is
what you mean, say so with ``group: true`` on the code. WHO ICD-10 has no billable codes, so
its three-character categories are not judged.

Passes::

    - {system: icd-10-cm, version: "2026", code: G35.D, source: icd-10-cm-2026}

Fails (warning: G35 is a header in ICD-10-CM FY2026)::

    - {system: icd-10-cm, version: "2026", code: G35, source: icd-10-cm-2026}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.reference import official

ID = "code-header"
SEVERITY = Severity.WARNING
SUMMARY = "Conditions carry billable ICD-10-CM codes, not header codes, unless marked group: true."
STANDARD = "ICD-10-CM FY2026 (simple-icd-10-cm): billable codes"

_SHOWN = 8


def _billable_below(code: str) -> list[str]:
    from immunopipe.validate import classifications

    return [item for item, entry in classifications.codes_below("icd-10-cm", code).items() if entry.leaf]


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for u, use in enumerate(article["uses"]):
        for c, condition in enumerate(use["conditions"]):
            for index, node in enumerate(condition["codes"]):
                if node["system"] != "icd-10-cm" or node.get("group"):
                    continue
                verdict = official("icd-10-cm", node["code"], node["version"])
                if verdict.status != "found" or verdict.leaf is not False:
                    continue
                below = _billable_below(node["code"])
                shown = ", ".join(below[:_SHOWN]) + (f" and {len(below) - _SHOWN} more" if len(below) > _SHOWN else "")
                yield Finding(
                    f"/uses/{u}/conditions/{c}/codes/{index}/code",
                    f"{node['code']} ('{verdict.title}') is a header, not a billable code, in ICD-10-CM "
                    f"{node['version']}: {condition['name']} needs one of {shown}, or mark the code group: true",
                )
