"""The facts a clinical reviewer approves, and digests of them that ignore YAML formatting.

A fact is one clinically meaningful item, named by a stable id built from the ids around it:
``title``, ``summary``, ``uses/<id>`` (without its conditions), ``conditions/<id>`` (with the use
it belongs to), ``medicine-classes/<id>`` (without its examples), ``medicines/<id>`` (with its
class), ``considerations/<id>`` and ``glossary/<term>``. Codes belong to the item they code.
Editorial metadata (publisher, dates, sources, the review itself) and editorial queries are not
facts: recording an approval or answering a query changes none.

A fact's value is canonical JSON (sorted keys, runs of white space in text collapsed to one
space), so re-folding a YAML paragraph or quoting a value differently is not a change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_SPACE = re.compile(r"\s+")


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return _SPACE.sub(" ", value).strip()
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


def canonical(value: Any) -> str:
    """``value`` as canonical JSON: sorted keys, no spaces, text white space collapsed."""
    return json.dumps(_normalised(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def reviewed_facts(article: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """Every reviewed fact of schema-valid ``article`` data: id -> (JSON pointer, value)."""
    facts: dict[str, tuple[str, Any]] = {
        "title": ("/title", article["title"]),
        "summary": ("/summary", article["summary"]),
    }
    for u, use in enumerate(article["uses"]):
        facts[f"uses/{use['id']}"] = (f"/uses/{u}", {k: v for k, v in use.items() if k != "conditions"})
        for c, condition in enumerate(use["conditions"]):
            facts[f"conditions/{condition['id']}"] = (f"/uses/{u}/conditions/{c}", {**condition, "use": use["id"]})
    for m, item in enumerate(article["medicine_classes"]):
        facts[f"medicine-classes/{item['id']}"] = (
            f"/medicine_classes/{m}",
            {k: v for k, v in item.items() if k != "examples"},
        )
        for e, example in enumerate(item["examples"]):
            facts[f"medicines/{example['id']}"] = (
                f"/medicine_classes/{m}/examples/{e}",
                {**example, "class": item["id"]},
            )
    for k, consideration in enumerate(article["considerations"]):
        facts[f"considerations/{consideration['id']}"] = (f"/considerations/{k}", consideration)
    for g, entry in enumerate(article.get("glossary", [])):
        facts[f"glossary/{entry['term']}"] = (f"/glossary/{g}", entry)
    return facts


def fact_values(article: Mapping[str, Any]) -> dict[str, Any]:
    """Every reviewed fact's value, by id, normalised as the digests see it."""
    return {fact_id: _normalised(value) for fact_id, (_pointer, value) in reviewed_facts(article).items()}


def fact_digest(value: Any) -> str:
    """16 hex digits of the SHA-256 of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()[:16]


def fact_digests(article: Mapping[str, Any]) -> dict[str, str]:
    """Every reviewed fact's id with its digest, in article order."""
    return {fact_id: fact_digest(value) for fact_id, (_pointer, value) in reviewed_facts(article).items()}


def facts_digest(article: Mapping[str, Any]) -> str:
    """``sha256:`` and the SHA-256 of all reviewed facts as one canonical JSON object."""
    values = {fact_id: value for fact_id, (_pointer, value) in reviewed_facts(article).items()}
    return "sha256:" + hashlib.sha256(canonical(values).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ApprovalCheck:
    """How an article's facts compare with those its recorded approval covers."""

    recorded: bool
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def current(self) -> bool:
        """True when an approval is recorded and no reviewed fact has moved since."""
        return self.recorded and not (self.changed or self.added or self.removed)


def check_approval(article: Mapping[str, Any]) -> ApprovalCheck | None:
    """Compare ``article``'s facts with its approval; None when the review is not approved."""
    review = article["editorial"]["clinical_review"]
    if review["status"] != "approved":
        return None
    approved = review.get("facts")
    if "digest" not in review or not isinstance(approved, dict):
        return ApprovalCheck(recorded=False)
    if review["digest"] == facts_digest(article):
        return ApprovalCheck(recorded=True)
    now = fact_digests(article)
    check = ApprovalCheck(
        recorded=True,
        changed=tuple(fact for fact, digest in now.items() if fact in approved and approved[fact] != digest),
        added=tuple(fact for fact in now if fact not in approved),
        removed=tuple(fact for fact in approved if fact not in now),
    )
    # Facts that all match a digest that does not: the record was edited by hand, so it proves nothing.
    return check if not check.current else ApprovalCheck(recorded=False)
