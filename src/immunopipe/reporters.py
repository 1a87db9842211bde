"""Reporters: turn a validation outcome into text for people, JSON for tools, or CI annotations.

Each reporter is a function ``(outcome, strict, styled) -> str`` registered in :data:`REPORTERS`;
``styled`` asks for ANSI colours where the format has any (only the text report does).
Paths and messages come from files and their names, so the text and GitHub reports escape
control characters, escape sequences, line breaks and bytes that are not UTF-8
(:func:`~immunopipe.safe_text.printable`), and the JSON report is always valid UTF-8.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from immunopipe.diagnostics import Diagnostic, Severity, has_failures
from immunopipe.safe_text import printable, valid_text

if TYPE_CHECKING:
    from immunopipe.validate import Outcome

JSON_REPORT_VERSION = 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(outcome: Outcome, *, strict: bool = False) -> str:
    """One line saying how the run went, e.g. ``2 errors, 1 warning in 1 of 3 files: failed``.

    Problems hidden by ignore comments or the baseline are counted in brackets.
    """
    errors = sum(d.severity is Severity.ERROR for d in outcome.diagnostics)
    warnings = len(outcome.diagnostics) - errors
    files = _plural(outcome.files_checked, "file")
    hidden = [
        f"{count} {what}"
        for count, what in ((outcome.suppressed, "suppressed"), (outcome.baselined, "baselined"))
        if count
    ]
    hidden_note = f" ({', '.join(hidden)})" if hidden else ""
    if not outcome.diagnostics:
        return f"{files} checked: no problems found{hidden_note}"
    paths = {d.path for d in outcome.diagnostics}
    # Stale baseline entries are reported at the baseline file, which is not a content file.
    bad = len(paths & set(outcome.checked_paths)) if outcome.checked_paths else len(paths)
    verdict = "failed" if outcome.failed(strict=strict) else "passed"
    if outcome.too_many_warnings() and not has_failures(outcome.diagnostics, strict=strict):
        verdict = f"failed: more than {_plural(outcome.max_warnings or 0, 'warning')} (--max-warnings)"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {bad} of {files}{hidden_note}: {verdict}"


def rule_counts(outcome: Outcome) -> list[str]:
    """One line per rule reported, most frequent first: ``  22  readability-grade (warning)``."""
    counts = Counter((d.rule, d.severity) for d in outcome.diagnostics)
    if not counts:
        return []
    width = len(str(max(counts.values())))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    return [f"  {count:>{width}}  {rule} ({severity})" for (rule, severity), count in ordered]


_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def format_text_line(diagnostic: Diagnostic, *, styled: bool = False) -> str:
    """``path:line:col: severity: message [rule]``, the form editors and compilers use."""
    d = diagnostic
    severity = click.style(str(d.severity), fg=_COLOURS[d.severity], bold=True) if styled else str(d.severity)
    place = f"{printable(d.path)}:{d.line}:{d.column}:"
    where = click.style(place, bold=True) if styled else place
    return f"{where} {severity}: {printable(d.message)} [{d.rule}]"


def text_report(outcome: Outcome, strict: bool = False, styled: bool = False) -> str:
    """Compiler-style lines, the count of problems per rule, and a summary."""
    lines = [format_text_line(d, styled=styled) for d in outcome.diagnostics]
    counts = rule_counts(outcome)
    if counts:
        lines += ["problems by rule:", *counts]
    lines.append(summary(outcome, strict=strict))
    return "\n".join(lines) + "\n"


def json_report(outcome: Outcome, strict: bool = False, styled: bool = False) -> str:
    """A stable JSON document: ``{"version", "valid", "files", "diagnostics": [...], ...}``.

    Version 1 only ever gains keys: ``suppressed`` and ``baselined`` (problems hidden by ignore
    comments and the baseline) were added after the first four, and so was each diagnostic's
    ``where`` (the node's path, list items named by id).
    """
    report = {
        "version": JSON_REPORT_VERSION,
        "valid": not outcome.failed(strict=strict),
        "files": outcome.files_checked,
        "diagnostics": [_valid({**d.to_dict(), "where": d.where}) for d in outcome.diagnostics],
        "suppressed": outcome.suppressed,
        "baselined": outcome.baselined,
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
