"""Reporters: turn a validation outcome into text for people, JSON for tools, or CI annotations.

Each reporter is a function ``(outcome, strict, styled) -> str`` registered in :data:`REPORTERS`;
``styled`` asks for ANSI colours where the format has any (only the text report does). The
plain text or JSON report of a run can be formatted ahead (:func:`stored_report`): an outcome
holding one (:class:`immunopipe.validate.warm.WarmOutcome`) is printed from it, in that format only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias, cast

import click

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.validate.warm import StoredReport

if TYPE_CHECKING:
    from immunopipe.validate import Outcome
    from immunopipe.validate.warm import WarmOutcome

    #: A full run's outcome, or a run answered from the stored report (which has no diagnostics).
    AnyOutcome: TypeAlias = Outcome | WarmOutcome

JSON_REPORT_VERSION = 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _stored(outcome: AnyOutcome) -> StoredReport | None:
    return getattr(outcome, "report", None)


def _diagnostics(outcome: AnyOutcome) -> list[Diagnostic]:
    """The diagnostics of a full run (never called for an outcome with a stored report)."""
    return cast("Outcome", outcome).diagnostics


def _counts(outcome: AnyOutcome) -> tuple[int, int, int]:
    """Errors, warnings, and files with at least one diagnostic."""
    stored = _stored(outcome)
    if stored is not None:
        return stored.errors, stored.warnings, stored.files_with_problems
    diagnostics = _diagnostics(outcome)
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    return errors, len(diagnostics) - errors, len({d.path for d in diagnostics})


def summary(outcome: AnyOutcome, *, strict: bool = False) -> str:
    """One line saying how the run went, e.g. ``2 errors, 1 warning in 1 of 3 files``."""
    errors, warnings, bad = _counts(outcome)
    files = _plural(outcome.files_checked, "file")
    if not errors + warnings:
        return f"{files} checked: no problems found"
    verdict = "failed" if outcome.failed(strict=strict) else "passed"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {bad} of {files}: {verdict}"


_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def format_text_line(diagnostic: Diagnostic, *, styled: bool = False) -> str:
    """``path:line:col: severity: message [rule]``, the form editors and compilers use."""
    d = diagnostic
    severity = click.style(str(d.severity), fg=_COLOURS[d.severity], bold=True) if styled else str(d.severity)
    where = click.style(f"{d.path}:{d.line}:{d.column}:", bold=True) if styled else f"{d.path}:{d.line}:{d.column}:"
    return f"{where} {severity}: {d.message} [{d.rule}]"


def _text_lines(diagnostics: list[Diagnostic], styled: bool) -> str:
    return "".join(f"{format_text_line(d, styled=styled)}\n" for d in diagnostics)


def text_report(outcome: AnyOutcome, strict: bool = False, styled: bool = False) -> str:
    """Compiler-style lines and a summary."""
    stored = None if styled else _stored(outcome)
    lines = stored.body if stored else _text_lines(_diagnostics(outcome), styled)
    return f"{lines}{summary(outcome, strict=strict)}\n"


#: The verdict in a JSON report formatted ahead, replaced when it is printed.
_NO_VERDICT = '"valid": null'


def _json_without_verdict(files_checked: int, diagnostics: list[Diagnostic]) -> str:
    report = {
        "version": JSON_REPORT_VERSION,
        "valid": None,
        "files": files_checked,
        "diagnostics": [d.to_dict() for d in diagnostics],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def json_report(outcome: AnyOutcome, strict: bool = False, styled: bool = False) -> str:
    """A stable JSON document: ``{"version", "valid", "files", "diagnostics": [...]}``."""
    stored = _stored(outcome)
    report = stored.body if stored else _json_without_verdict(outcome.files_checked, _diagnostics(outcome))
    verdict = "false" if outcome.failed(strict=strict) else "true"
    return report.replace(_NO_VERDICT, f'"valid": {verdict}', 1)


def stored_report(outcome: Outcome, report_format: str) -> StoredReport:
    """The plain ``text`` or ``json`` report of ``outcome``, formatted ahead (verdict aside)."""
    errors, warnings, bad = _counts(outcome)
    if report_format == "text":
        body = _text_lines(outcome.diagnostics, styled=False)
    else:
        body = _json_without_verdict(outcome.files_checked, outcome.diagnostics)
    return StoredReport(report_format, body, errors, warnings, bad)


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_report(outcome: AnyOutcome, strict: bool = False, styled: bool = False) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic."""
    lines = []
    for d in _diagnostics(outcome):
        level = "error" if d.severity is Severity.ERROR or strict else "warning"
        props = f"file={_escape_property(d.path)},line={d.line},col={d.column},title={_escape_property(d.rule)}"
        lines.append(f"::{level} {props}::{_escape_data(d.message)}")
    lines.append(summary(outcome, strict=strict))
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[[AnyOutcome, bool, bool], str]] = {
    "text": text_report,
    "json": json_report,
    "github": github_report,
}
