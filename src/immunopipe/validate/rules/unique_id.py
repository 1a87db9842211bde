"""Every ``id`` inside an article is unique.

Ids join the CSV tables and name things in exports, so two items with one id would be merged or
lost downstream. The check covers uses, conditions, medicine classes, examples, considerations
and sources together.

Passes::

    conditions:
      - {id: lupus, ...}
      - {id: multiple-sclerosis, ...}

Fails (the second ``lupus``)::

    conditions:
      - {id: lupus, ...}
      - {id: lupus, ...}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext, walk

ID = "unique-id"
SEVERITY = Severity.ERROR
SUMMARY = "Every id inside an article is unique."
STANDARD = "immunopipe data model"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for pointer, node in walk(article):
        if not pointer or not isinstance(node.get("id"), str):
            continue
        item_id = node["id"]
        if item_id in seen:
            yield Finding(f"{pointer}/id", f"id '{item_id}' is already used at {seen[item_id]}")
        else:
            seen[item_id] = pointer
