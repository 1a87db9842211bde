"""A checked translation as the exporters read it: whose, which language, its status and texts by fact key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from immunopipe.diagnostics import Diagnostic


@dataclass(frozen=True, kw_only=True)
class Translation:
    """A checked translation, ready to export: whose, which language, its status and texts by fact key."""

    article_id: str
    language: str
    status: dict[str, Any]
    texts: dict[str, str]
    #: Per fact key, the fingerprint of the English text it was translated from.
    fingerprints: dict[str, str]

    @staticmethod
    def from_data(data: dict[str, Any]) -> Translation:
        """Build from schema-valid translation data."""
        return Translation(
            article_id=data["article"],
            language=data["language"],
            status=data["status"],
            texts={key: fact["text"] for key, fact in data["facts"].items()},
            fingerprints={key: fact["fingerprint"] for key, fact in data["facts"].items()},
        )


@dataclass
class TranslationOutcome:
    """Diagnostics of every translation file, and the valid ones as they were checked."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    valid: dict[Path, Translation] = field(default_factory=dict)
