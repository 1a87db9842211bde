"""The baseline: today's warnings, recorded so that ``validate`` reports only new ones.

``immunopipe baseline`` writes every warning of the files it checks to a JSON file (by default
``immunopipe-baseline.json``), one entry per line::

    {"file": "content/lupus.yaml", "rule": "dates-unknown", "fingerprint": "3f0c...",
     "where": "editorial > dates > published", "message": "..."}

(each entry on a single line in the file).

The fingerprint is a digest of the rule and the node's path in the article's words (list items
named by id, :mod:`immunopipe.validate.where`), never of a line number, so it survives lines
added or removed above the warning and items reordered. ``where`` and ``message`` are there for
people reading the file. When the same rule warns twice about one node, the entry appears twice.

Applying a baseline removes from an outcome each warning that an unused entry of the same file,
rule and fingerprint matches, and counts them. Entries of the files checked that match nothing
are stale: each becomes a ``baseline-stale`` warning at its line of the baseline file. Entries of
files not checked in this run are left alone, and recording a baseline for some files keeps the
entries of the others. Errors are never recorded: they always count.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.errors import ImmunopipeError
from immunopipe.safe_text import printable
from immunopipe.validate.rules import baseline_stale
from immunopipe.validate.runner import Outcome

BASELINE_FORMAT = 1


class BaselineError(ImmunopipeError):
    """The baseline file cannot be read or is not a baseline (an environment problem)."""


class BaselineDamaged(BaselineError):
    """The baseline file can be read but is not a baseline (``immunopipe baseline`` may write it anew)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path} is not an immunopipe baseline ({reason}); write it again with: immunopipe baseline")
        self.path = path
        self.reason = reason


#: Ending added to a damaged baseline's name when ``immunopipe baseline`` keeps it aside.
DAMAGED_SUFFIX = ".damaged"


def set_aside(damaged: BaselineDamaged) -> tuple[Path, bytes]:
    """Where to keep the damaged baseline's bytes before a fresh one replaces it, and those bytes.

    BaselineError when that place already holds other bytes (an earlier damaged baseline).
    """
    aside = damaged.path.with_name(damaged.path.name + DAMAGED_SUFFIX)
    try:
        data = damaged.path.read_bytes()
        earlier = aside.read_bytes() if aside.exists() else data
    except OSError as exc:
        raise BaselineError(f"cannot keep the damaged baseline as {aside}: {exc.strerror or exc}") from exc
    if earlier != data:
        raise BaselineError(
            f"{damaged.path} is not an immunopipe baseline ({damaged.reason}) and {aside} already holds an "
            "earlier damaged one: move one of them away, then run immunopipe baseline again"
        )
    return aside, data


@dataclass(frozen=True)
class Entry:
    """One recorded warning, and the line of the baseline file it is on (0 when not from a file)."""

    file: str
    rule: str
    fingerprint: str
    where: str
    message: str
    line: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.file, self.rule, self.fingerprint)


def fingerprint(diagnostic: Diagnostic) -> str:
    """A digest of the rule and the node (by its path of ids), independent of line numbers."""
    node = diagnostic.where or diagnostic.pointer
    return hashlib.sha256(f"{diagnostic.rule}\0{node}".encode()).hexdigest()[:16]


def entry_for(diagnostic: Diagnostic) -> Entry:
    """The baseline entry recording ``diagnostic``."""
    d = diagnostic
    return Entry(file=d.path, rule=d.rule, fingerprint=fingerprint(d), where=d.where, message=d.message)


#: The text fields of an entry; the first three are required.
_REQUIRED_FIELDS = ("file", "rule", "fingerprint")
_OPTIONAL_FIELDS = ("where", "message")


def read(path: Path) -> list[Entry]:
    """The entries of the baseline file at ``path`` (none when it does not exist).

    :class:`BaselineError` when it cannot be read; :class:`BaselineDamaged` when it is not a
    baseline of this format, down to an entry with a field of the wrong type.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror or exc}") from exc
    try:
        return parse(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BaselineDamaged(path, printable(exc)) from exc


def parse(text: str) -> list[Entry]:
    """The entries of a baseline file's ``text``; ValueError saying what is wrong when it is not one."""
    stored = json.loads(text)
    if not isinstance(stored, dict):
        raise ValueError("it is not a JSON object")
    if stored.get("version") != BASELINE_FORMAT:
        raise ValueError(f"version {stored.get('version')!r} is not {BASELINE_FORMAT}")
    records = stored.get("warnings")
    if not isinstance(records, list):
        raise ValueError('its "warnings" is not a list')
    lines = _entry_lines(text)
    entries = []
    for index, record in enumerate(records):
        line = lines[index] if index < len(lines) else 0
        valid = (
            isinstance(record, dict)
            and all(isinstance(record.get(key), str) for key in _REQUIRED_FIELDS)
            and all(isinstance(record.get(key, ""), str) for key in _OPTIONAL_FIELDS)
        )
        if not valid:
            at = f" (line {line})" if line else ""
            raise ValueError(f"warning {index + 1}{at} is not an object of text fields file, rule and fingerprint")
        entries.append(
            Entry(
                file=record["file"],
                rule=record["rule"],
                fingerprint=record["fingerprint"],
                where=record.get("where", ""),
                message=record.get("message", ""),
                line=line,
            )
        )
    return entries


def _entry_lines(text: str) -> list[int]:
    """The 1-based line of each entry, as :func:`render` writes them (one per line)."""
    return [number for number, line in enumerate(text.splitlines(), start=1) if line.lstrip().startswith('{"file"')]


def render(entries: Iterable[Entry]) -> str:
    """The baseline file: sorted entries, one per line, so diffs show each warning."""
    ordered = sorted(entries, key=lambda e: (e.file, e.rule, e.where, e.fingerprint, e.message))
    rows = [
        json.dumps(
            {"file": e.file, "rule": e.rule, "fingerprint": e.fingerprint, "where": e.where, "message": e.message},
            ensure_ascii=False,
        )
        for e in ordered
    ]
    body = ",\n    ".join(rows)
    warnings = f"[\n    {body}\n  ]" if rows else "[]"
    return f'{{\n  "version": {BASELINE_FORMAT},\n  "warnings": {warnings}\n}}\n'


def record(outcome: Outcome, previous: Iterable[Entry]) -> list[Entry]:
    """The entries for ``outcome``'s warnings, plus ``previous`` entries of files it did not check."""
    checked = set(outcome.checked_paths)
    kept = [entry for entry in previous if entry.file not in checked]
    return kept + [entry_for(d) for d in outcome.diagnostics if d.severity is Severity.WARNING and _recordable(d)]


def _recordable(diagnostic: Diagnostic) -> bool:
    return diagnostic.rule != baseline_stale.ID


def apply(
    outcome: Outcome, entries: list[Entry], baseline_path: Path, severities: Mapping[str, Severity | None]
) -> None:
    """Drop the warnings ``entries`` record from ``outcome`` and report its stale entries."""
    checked = set(outcome.checked_paths)
    unused: dict[tuple[str, str, str], list[Entry]] = {}
    for entry in entries:
        if entry.file in checked:
            unused.setdefault(entry.key, []).append(entry)
    kept = []
    for diagnostic in outcome.diagnostics:
        matches = unused.get(entry_for(diagnostic).key) if diagnostic.severity is Severity.WARNING else None
        if matches:
            matches.pop(0)
            outcome.baselined += 1
        else:
            kept.append(diagnostic)
    severity = severities.get(baseline_stale.ID, baseline_stale.SEVERITY)
    if severity is not None:
        shown = str(baseline_path)
        for entry in (entry for group in unused.values() for entry in group):
            message = (
                f"{entry.file} no longer has this {entry.rule} warning"
                f"{f' at {printable(entry.where)}' if entry.where else ''}: "
                "remove the entry, or record the baseline again with: immunopipe baseline"
            )
            kept.append(Diagnostic(shown, max(entry.line, 1), 1, baseline_stale.ID, message, severity))
    kept.sort(key=lambda d: (d.path, d.line, d.column, d.rule))
    outcome.diagnostics = kept
