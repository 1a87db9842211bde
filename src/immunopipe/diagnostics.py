"""Diagnostics: the one value every check produces and every reporter formats."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How serious a diagnostic is. Errors fail a run; warnings fail it only with --strict."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True, slots=True)
class Diagnostic:
    """A problem found in a content file, located by line/column (1-based) and JSON pointer."""

    path: str
    line: int
    column: int
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    pointer: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape used by the JSON reporter."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
        }


def has_failures(diagnostics: list[Diagnostic], *, strict: bool = False) -> bool:
    """True when the diagnostics should fail a run (any error; any warning under ``strict``)."""
    return any(d.severity is Severity.ERROR or strict for d in diagnostics)
