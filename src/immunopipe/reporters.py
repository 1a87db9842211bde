"""Reporters: turn a validation outcome into text for people, JSON for tools, or CI annotations.

Each reporter is a function ``(outcome, strict, styled) -> str`` registered in :data:`REPORTERS`;
``styled`` asks for ANSI colours where the format has any (only the text report does).
Paths and messages come from files and their names, so the text and GitHub reports escape
control characters, escape sequences, line breaks and bytes that are not UTF-8
(:func:`~immunopipe.safe_text.printable`), and the JSON report is always valid UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.safe_text import printable, valid_text

if TYPE_CHECKING:
    from immunopipe.validate import Outcome

JSON_REPORT_VERSION = 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(outcome: Outcome, *, strict: bool = False) -> str:
    """One line saying how the run went, e.g. ``2 errors, 1 warning in 1 of 3 files``."""
    errors = sum(d.severity is Severity.ERROR for d in outcome.diagnostics)
    warnings = len(outcome.diagnostics) - errors
    files = _plural(outcome.files_checked, "file")
    if not outcome.diagnostics:
        return f"{files} checked: no problems found"
    bad = len({d.path for d in outcome.diagnostics})
    verdict = "failed" if outcome.failed(strict=strict) else "passed"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {bad} of {files}: {verdict}"


_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def format_text_line(diagnostic: Diagnostic, *, styled: bool = False) -> str:
    """``path:line:col: severity: message [rule]``, the form editors and compilers use."""
    d = diagnostic
    severity = click.style(str(d.severity), fg=_COLOURS[d.severity], bold=True) if styled else str(d.severity)
    place = f"{printable(d.path)}:{d.line}:{d.column}:"
    where = click.style(place, bold=True) if styled else place
    return f"{where} {severity}: {printable(d.message)} [{d.rule}]"


def text_report(outcome: Outcome, strict: bool = False, styled: bool = False) -> str:
    """Compiler-style lines and a summary."""
    lines = [format_text_line(d, styled=styled) for d in outcome.diagnostics]
    lines.append(summary(outcome, strict=strict))
    return "\n".join(lines) + "\n"


def json_report(outcome: Outcome, strict: bool = False, styled: bool = False) -> str:
    """A stable JSON document: ``{"version", "valid", "files", "diagnostics": [...]}``."""
    report = {
        "version": JSON_REPORT_VERSION,
        "valid": not outcome.failed(strict=strict),
        "files": outcome.files_checked,
        "diagnostics": [_valid(d.to_dict()) for d in outcome.diagnostics],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _valid(record: dict[str, object]) -> dict[str, object]:
    return {key: valid_text(value) if isinstance(value, str) else value for key, value in record.items()}


def _escape_data(value: str) -> str:
    return printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_report(outcome: Outcome, strict: bool = False, styled: bool = False) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic."""
    lines = []
    for d in outcome.diagnostics:
        level = "error" if d.severity is Severity.ERROR or strict else "warning"
        props = f"file={_escape_property(d.path)},line={d.line},col={d.column},title={_escape_property(d.rule)}"
        lines.append(f"::{level} {props}::{_escape_data(d.message)}")
    lines.append(summary(outcome, strict=strict))
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[[Outcome, bool, bool], str]] = {
    "text": text_report,
    "json": json_report,
    "github": github_report,
}
