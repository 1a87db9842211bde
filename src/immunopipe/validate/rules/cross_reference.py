"""References inside an article point at things that exist.

* a condition's ``part_of`` names another condition of the same article (not itself, no cycles);
* a code's ``source`` names an entry of ``editorial.sources``, so every code says where it was
  verified.

Passes::

    - {id: inflammatory-bowel-disease, ...}
    - {id: crohns-disease, part_of: inflammatory-bowel-disease, ...}

Fails (no condition ``ibd``)::

    - {id: crohns-disease, part_of: ibd, ...}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext, walk

ID = "cross-reference"
SEVERITY = Severity.ERROR
SUMMARY = "part_of and code sources refer to a condition or source of the same article."
STANDARD = "immunopipe data model"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    sources = {s.get("id") for s in article.get("editorial", {}).get("sources", [])}
    parents: dict[str, str] = {}
    where: dict[str, str] = {}
    for u, use in enumerate(article.get("uses", [])):
        for c, condition in enumerate(use.get("conditions", [])):
            where[condition["id"]] = f"/uses/{u}/conditions/{c}"
            if "part_of" in condition:
                parents[condition["id"]] = condition["part_of"]
    for child, parent in parents.items():
        pointer = f"{where[child]}/part_of"
        if parent not in where:
            yield Finding(pointer, f"part_of refers to '{parent}', which is not a condition of this article")
        elif _has_cycle(child, parents):
            yield Finding(pointer, f"part_of of '{child}' leads back to itself")
    for pointer, node in walk(article):
        if "system" in node and "source" in node and node["source"] not in sources:
            yield Finding(
                f"{pointer}/source",
                f"code source '{node['source']}' is not listed in editorial.sources",
            )


def _has_cycle(start: str, parents: dict[str, str]) -> bool:
    seen = {start}
    current = parents.get(start)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False
