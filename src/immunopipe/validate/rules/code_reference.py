"""Codes of known medicines, classes and conditions agree with immunopipe's reference table.

immunopipe ships a small cited table (``immunopipe/validate/data/reference_codes.csv``): WHO
ATC for the medicines and classes of its articles, RxNorm ingredients, and the WHO ICD-10 and
ICD-10-CM codes of their conditions (titles as the classification packages give them), each row
with its source, the date it was checked and, where a code changed, the editions it is valid in.
Items are matched by name (or international name), ignoring case. It is an error when:

* a known item carries another code in a system the table covers for it, in the edition the
  code states: sirolimus is ``L04AH01`` in the 2026 ATC index (``L04AA10`` until 2023);
  a subdivision of a listed ICD category counts as that category (``M32.1`` under ``M32``);
* the table gives the code another meaning in that system: ``icd-10-cm`` ``T86.5`` means
  complications of stem cell transplant, not transplant rejection (WHO ICD-10 has no ``T86.5`` at
  all; ``code-classification`` reports that): the same string in another system says something else;
* a class without a single code in a system has one (antimetabolites and biologics have no
  single ATC group).

Items and codes the table does not know are not judged (``code-format`` still checks them);
nor are ICD editions no classification package carries (``code-unverified`` reports them), or an
ICD-10-CM header above the expected code (``code-header`` warns about it).

Passes::

    - id: sirolimus
      name: sirolimus
      kind: medicine
      codes:
        - {system: who-atc, version: "2026", code: L04AH01, source: who-atc-ddd-2026}

Fails (the code sirolimus had before the 2024 ATC index)::

    - id: sirolimus
      name: sirolimus
      kind: medicine
      codes:
        - {system: who-atc, version: "2026", code: L04AA10, source: who-atc-ddd-2026}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.classifications import carries
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.reference import ReferenceCode, edition_year, normalise_name, system_rows

ID = "code-reference"
SEVERITY = Severity.ERROR
SUMMARY = "Known medicines, classes and conditions carry the codes of the reference table."
STANDARD = "WHO ATC/DDD Index, WHO ICD-10, ICD-10-CM, RxNorm (immunopipe reference table)"

ICD_SYSTEMS = frozenset({"who-icd-10", "icd-10-cm"})


def _coded_items(article: dict[str, Any]) -> Iterator[tuple[str, str, frozenset[str], list[dict[str, Any]]]]:
    """(pointer, name, names to match, codes) of every coded condition, class and example."""
    for u, use in enumerate(article["uses"]):
        for c, condition in enumerate(use["conditions"]):
            names = frozenset({normalise_name(condition["name"])})
            yield f"/uses/{u}/conditions/{c}", condition["name"], names, condition["codes"]
    for m, medicine_class in enumerate(article["medicine_classes"]):
        names = frozenset({normalise_name(medicine_class["name"])})
        yield f"/medicine_classes/{m}", medicine_class["name"], names, medicine_class["codes"]
        for e, example in enumerate(medicine_class["examples"]):
            names = frozenset(normalise_name(example[key]) for key in ("name", "international_name") if key in example)
            yield f"/medicine_classes/{m}/examples/{e}", example["name"], names, example["codes"]


def _is_subdivision(code: str, rows: list[ReferenceCode], system: str) -> bool:
    return system in ICD_SYSTEMS and any(row.code and code.startswith(f"{row.code}.") for row in rows)


def _is_header_of(code: str, rows: list[ReferenceCode], system: str) -> bool:
    return system in ICD_SYSTEMS and any(row.code.startswith(f"{code}.") for row in rows)


def problem(name: str, names: frozenset[str], code: dict[str, Any]) -> str | None:
    """Why ``code`` is wrong for the item called ``names``, or None when it is right or unknown."""
    system, value, version = code["system"], code["code"], code["version"]
    year = edition_year(version)
    if system in ICD_SYSTEMS and not carries(system, year):
        return None
    table = system_rows(system)
    mine = [row for row in table if row.names & names]
    same_code = [row for row in table if row.code == value and row.valid_in(year)]
    if any(row.names & names for row in same_code):
        return None
    current = [row for row in mine if row.valid_in(year)]
    if current and not any(row.code for row in current):
        return f"{name} has no {system} code ({current[0].title}; {current[0].source}): remove {value}"
    if same_code:
        meaning = same_code[0]
        return f"{system} {value} means '{meaning.title}' ({meaning.source}), not {name}"
    if not mine:
        return None
    if not current:
        listed = "; ".join(f"{row.code} {row.editions()}" for row in mine if row.code)
        return f"the reference table has no {system} code for {name} in edition {version} ({listed})"
    if _is_subdivision(value, current, system) or _is_header_of(value, current, system):
        return None
    expected = " or ".join(row.code for row in current if row.code)
    message = f"{name} is {expected} in {system} {version} ({current[0].source}), not {value}"
    former = [row for row in mine if row.code == value]
    if former:
        message += f"; {value} is its code {former[0].editions()}"
    return message


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for pointer, name, names, codes in _coded_items(article):
        for index, code in enumerate(codes):
            message = problem(name, names, code)
            if message:
                yield Finding(f"{pointer}/codes/{index}/code", message)
