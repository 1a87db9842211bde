"""Inline suppressions: ``# immunopipe: ignore[rule-id, ...] reason`` in the YAML itself.

A comment at the end of a line ignores those rules' problems on that line; a comment on a line
of its own ignores them on the next line that is not blank or a comment (so several can be
stacked above one key). The reason is required (``suppression-reason`` warns without one); a
suppression that ignores nothing is reported (``suppression-unused``). Only rules that check one
article can be ignored: YAML and schema problems always count.

Suppressions live in the file's bytes, so a cached result (keyed by those bytes) always reflects
them. The text of a quoted or block value that merely looks like such a comment is not one: a
candidate counts only if no scalar of the YAML covers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import yaml

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.safe_text import printable
from immunopipe.validate.rules import RULES
from immunopipe.validate.rules import suppression_reason as reason_rule
from immunopipe.validate.rules import suppression_unused as unused_rule

_MARKER = "immunopipe:"
#: An ignore comment: a ``#`` at the start of a line or after a space or tab (as YAML requires).
_COMMENT = re.compile(r"(?<![^ \t\r\n])#[ \t]*immunopipe:[ \t]*ignore\[([^\]\n\r]*)\][ \t]*([^\n\r]*)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


#: :attr:`Suppression.target_line` of a comment on a line of its own with no line below it to cover.
NO_LINE = 0


@dataclass
class Suppression:
    """One ignore comment: where it is, which line it covers, the rules it names and why."""

    line: int
    column: int
    target_line: int
    rules: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)


def _line_starts(text: str) -> list[int]:
    """Index where each line starts; only ``\\n``, ``\\r\\n`` and ``\\r`` end a line, as in editors."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _in_scalar(text: str, indexes: list[int]) -> set[int]:
    """Which of ``indexes`` lie inside a scalar (quoted, plain or block text) of the YAML."""
    inside: set[int] = set()
    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if isinstance(token, yaml.ScalarToken):
                start, end = token.start_mark.index, token.end_mark.index
                if token.style in ("|", ">"):  # the text starts below the header line, which may hold a comment
                    header_end = _LINE_BREAK.search(text, start)
                    start = header_end.end() if header_end else end
                inside.update(index for index in indexes if start <= index < end)
    except yaml.YAMLError:
        return inside  # the file loaded, so this is not expected; treat what was scanned as known
    return inside


def find(text: str) -> list[Suppression]:
    """Every ignore comment in ``text``, with the line it applies to."""
    if _MARKER not in text:
        return []
    candidates = list(_COMMENT.finditer(text))
    if not candidates:
        return []
    starts = _line_starts(text)
    lines = [text[start:end].rstrip("\r\n") for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    in_scalar = _in_scalar(text, [match.start() for match in candidates])
    found = []
    for match in candidates:
        if match.start() in in_scalar:
            continue
        line_index = _line_of(starts, match.start())
        column = match.start() - starts[line_index] + 1
        own_line = not lines[line_index][: column - 1].strip()
        target = _next_content_line(lines, line_index) if own_line else line_index
        rules = tuple(name.strip() for name in match.group(1).split(",") if name.strip())
        found.append(
            Suppression(
                line_index + 1, column, NO_LINE if target is None else target + 1, rules, match.group(2).strip()
            )
        )
    return found


def _line_of(starts: list[int], index: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= index:
            low = middle
        else:
            high = middle - 1
    return low


def _next_content_line(lines: list[str], index: int) -> int | None:
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following
    return None


def _can_be_ignored(rule_id: str) -> bool:
    return rule_id in RULES and RULES[rule_id].scope == "article"


def apply(
    path: str,
    diagnostics: Iterable[Diagnostic],
    suppressions: list[Suppression],
    severities: Mapping[str, Severity | None],
) -> tuple[list[Diagnostic], int]:
    """``diagnostics`` less the suppressed ones, plus warnings about the comments; and how many were suppressed."""
    by_line: dict[int, list[Suppression]] = {}
    for suppression in suppressions:
        if suppression.target_line != NO_LINE:
            by_line.setdefault(suppression.target_line, []).append(suppression)
    kept: list[Diagnostic] = []
    suppressed = 0
    for diagnostic in diagnostics:
        matching = [s for s in by_line.get(diagnostic.line, ()) if diagnostic.rule in s.rules]
        if matching and _can_be_ignored(diagnostic.rule):
            for suppression in matching:
                suppression.used.add(diagnostic.rule)
            suppressed += 1
        else:
            kept.append(diagnostic)
    kept += _comment_warnings(path, suppressions, severities)
    return kept, suppressed


def _comment_warnings(
    path: str, suppressions: list[Suppression], severities: Mapping[str, Severity | None]
) -> list[Diagnostic]:
    found = []
    unused_severity = severities.get(unused_rule.ID, unused_rule.SEVERITY)
    reason_severity = severities.get(reason_rule.ID, reason_rule.SEVERITY)
    for s in suppressions:
        if not s.rules and unused_severity:
            message = "this ignore comment names no rule: write # immunopipe: ignore[rule-id] reason"
            found.append(Diagnostic(path, s.line, s.column, unused_rule.ID, message, unused_severity))
        for rule_id in s.rules:
            if rule_id in s.used or not unused_severity:
                continue
            found.append(
                Diagnostic(path, s.line, s.column, unused_rule.ID, _unused_message(rule_id, s), unused_severity)
            )
        if s.rules and not s.reason and reason_severity:
            message = f"say why {', '.join(map(printable, s.rules))} is ignored: add the reason after the brackets"
            found.append(Diagnostic(path, s.line, s.column, reason_rule.ID, message, reason_severity))
    return found


#: Loading problems (besides the ``yaml-*`` and ``schema-*`` ids): the file is not well-formed data.
_LOAD_RULES = frozenset({"duplicate-key", "encoding", "empty-file", "file-too-large", "file-unreadable"})


def _unused_message(rule_id: str, suppression: Suppression) -> str:
    shown = printable(rule_id)
    if rule_id in _LOAD_RULES or rule_id.startswith(("yaml-", "schema-")):
        return f"'{shown}' cannot be ignored: YAML and schema problems always count; fix the problem instead"
    if rule_id not in RULES:
        return f"there is no rule '{shown}' to ignore (immunopipe rules lists them); remove or correct it"
    if RULES[rule_id].scope != "article":
        return f"'{shown}' cannot be ignored in a file; set it to \"off\" in pyproject.toml instead"
    if suppression.target_line == NO_LINE:
        return f"nothing to ignore: no line follows this comment, so it ignores no '{shown}' problem; remove it"
    return f"nothing to ignore: '{shown}' reports no problem on line {suppression.target_line}; remove this comment"
