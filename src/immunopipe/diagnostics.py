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
    #: The node in the article's words, list items named by id (``uses > transplant > title``).
    where: str = ""

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


#: Diagnostics reported per file; the rest are counted in one more (:data:`TOO_MANY`).
MAX_PER_FILE = 200
#: The rule id of the diagnostic that counts the ones not shown.
TOO_MANY = "too-many-problems"


def capped(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One file's diagnostics in order, the first :data:`MAX_PER_FILE` of them and a count of the rest.

    A file of a million unknown keys then gives a report a person can read, and the run still
    fails if any problem not shown is an error.
    """
    ordered = sorted(diagnostics, key=lambda d: (d.line, d.column, d.rule))
    if len(ordered) <= MAX_PER_FILE:
        return ordered
    shown, rest = ordered[:MAX_PER_FILE], ordered[MAX_PER_FILE:]
    errors = sum(d.severity is Severity.ERROR for d in rest)
    first = rest[0]
    message = (
        f"{len(rest):,} more problems in this file are not shown ({errors:,} errors, {len(rest) - errors:,} "
        f"warnings); fix the ones above and validate again"
    )
    severity = Severity.ERROR if errors else Severity.WARNING
    return [*shown, Diagnostic(first.path, first.line, first.column, TOO_MANY, message, severity)]


def has_failures(diagnostics: list[Diagnostic], *, strict: bool = False) -> bool:
    """True when the diagnostics should fail a run (any error; any warning under ``strict``)."""
    return any(d.severity is Severity.ERROR or strict for d in diagnostics)
