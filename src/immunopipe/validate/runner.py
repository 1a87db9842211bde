"""Run every check over a set of files; one broken file never stops the others."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from immunopipe.diagnostics import Diagnostic, Severity, has_failures
from immunopipe.load import Document, LoadError, Problem, load_path
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.rules import RULES, Rule
from immunopipe.validate.schema import SchemaChecker

#: A rule's configured severity: a :class:`Severity`, or ``None`` when the rule is off.
SeverityOverrides = Mapping[str, Severity | None]


@dataclass
class Outcome:
    """What a validation run found: the documents that passed the schema, and every diagnostic."""

    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files_checked: int = 0

    def failed(self, *, strict: bool = False) -> bool:
        """True when the run should fail (errors; warnings too under ``strict``)."""
        return has_failures(self.diagnostics, strict=strict)


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, as editors expect."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def validate_files(
    files: list[Path],
    *,
    context: RuleContext | None = None,
    severities: SeverityOverrides | None = None,
    checker: SchemaChecker | None = None,
) -> Outcome:
    """Load, schema-check and rule-check ``files``."""
    context = context or RuleContext()
    severities = severities or {}
    checker = checker or SchemaChecker()
    outcome = Outcome(files_checked=len(files))
    for path in files:
        shown = display_path(path)
        try:
            document = load_path(path, display=shown)
        except LoadError as exc:
            outcome.diagnostics += [_load_diagnostic(shown, p) for p in exc.problems]
            continue
        problems = [_load_diagnostic(shown, p) for p in document.problems]
        problems += checker.check(document)
        if problems:
            outcome.diagnostics += problems
            continue
        for rule in RULES.values():
            if not rule.library_wide:
                findings = rule.check(document.data, context)
                outcome.diagnostics += _located(rule, document, findings, severities)
        outcome.documents.append(document)
    for rule in RULES.values():
        if rule.library_wide:
            for document, finding in rule.check(outcome.documents, context):
                outcome.diagnostics += _located(rule, document, [finding], severities)
    failed_paths = {d.path for d in outcome.diagnostics if d.severity is Severity.ERROR}
    outcome.documents = [d for d in outcome.documents if d.path not in failed_paths]
    outcome.diagnostics.sort(key=lambda d: (d.path, d.line, d.column, d.rule))
    return outcome


def _load_diagnostic(path: str, problem: Problem) -> Diagnostic:
    return Diagnostic(
        path,
        problem.line,
        problem.column,
        problem.rule,
        problem.message,
        Severity.ERROR,
        problem.pointer,
    )


def _located(
    rule: Rule, document: Document, findings: Iterable[Finding], severities: SeverityOverrides
) -> list[Diagnostic]:
    severity = severities.get(rule.id, rule.severity)
    if severity is None:
        return []
    result = []
    for finding in findings:
        line, column = document.source_map.locate(finding.pointer, key=finding.at_key)
        result.append(Diagnostic(document.path, line, column, rule.id, finding.message, severity, finding.pointer))
    return result
