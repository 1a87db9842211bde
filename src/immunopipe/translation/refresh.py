"""``immunopipe translate``: start or refresh a translation file from its source article.

New facts get the English text and ``untranslated: true`` (an error until a translator does
them). Translated text is never overwritten: a fact whose English changed keeps its translation
and the old English it was made from, so the check reports it stale with both wordings, until
the translator updates it and accepts it (``--accept KEY``: the current English becomes the
fact's source). Facts the source no longer has are kept (and reported) unless ``prune`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from immunopipe.errors import ImmunopipeError
from immunopipe.files.write import replace_atomically
from immunopipe.translation.document import SCHEMA_FILE
from immunopipe.translation.facts import fingerprint, source_facts

NEW_STATUS: dict[str, Any] = {"method": "machine-assisted", "translated_by": "unknown", "checked_by": "pending"}


class RefreshError(ImmunopipeError):
    """The translation cannot be refreshed as asked (an unknown fact to accept, say)."""


@dataclass
class Refreshed:
    """What a refresh did, fact keys by what happened to them."""

    added: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    kept_stale: list[str] = field(default_factory=list)


def refresh(
    source: dict[str, Any],
    existing: dict[str, Any] | None,
    language: str,
    *,
    accept: tuple[str, ...] = (),
    prune: bool = False,
) -> tuple[dict[str, Any], Refreshed]:
    """The refreshed translation data for ``source`` (schema-valid article data) and what changed."""
    facts = source_facts(source)
    old: dict[str, Any] = dict(existing["facts"]) if existing else {}
    unknown = [key for key in accept if key not in facts]
    if unknown:
        raise RefreshError(f"cannot accept {', '.join(map(repr, unknown))}: the source has no such fact")
    report = Refreshed()
    result: dict[str, Any] = {}
    for key, fact in facts.items():
        entry = old.pop(key, None)
        current = {"source": fact.text, "fingerprint": fingerprint(fact.text)}
        if entry is None:
            result[key] = {**current, "text": fact.text, "untranslated": True}
            report.added.append(key)
        elif key in accept:
            result[key] = {**entry, **current}
            report.accepted.append(key)
        else:
            result[key] = entry
            if entry["fingerprint"] != current["fingerprint"]:
                report.kept_stale.append(key)
    for key, entry in old.items():
        if prune:
            report.pruned.append(key)
        else:
            result[key] = entry
    data = {
        "article": source["id"],
        "language": language,
        "status": existing["status"] if existing else dict(NEW_STATUS),
        "facts": result,
    }
    return data, report


def dump(data: dict[str, Any], depth: int) -> bytes:
    """Translation data as YAML, with the schema modeline for editors (``depth``: folders below the repository)."""
    modeline = f"# yaml-language-server: $schema={'../' * depth}schema/{SCHEMA_FILE}\n"
    # SafeDumper quotes every text YAML 1.1 would read as something else; the strict loader reads less as typed.
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return (modeline + body).encode("utf-8")


def write_translation(path: Path, data: dict[str, Any], depth: int) -> None:
    """Write ``data`` to ``path`` atomically (the folder is made if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, dump(data, depth))
