"""A cache of per-file validation results, so unchanged articles are not checked again.

An entry is keyed by the SHA-256 of the file's bytes. The whole cache is tied to a fingerprint
of everything else a result depends on: the immunopipe version, the schema, the source of the
loader and every rule, the rule options and severities, and today's date (some rules compare
dates with today). Change any of them and every entry is ignored; change one article and only
its entry misses. A cache that cannot be read, or that was written for another fingerprint or
format, is ignored and rebuilt, never trusted. Library-wide rules (duplicate ids, file names)
always run, over the cached ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from immunopipe import __version__
from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.validate.context import ArticleRef, RuleContext

if TYPE_CHECKING:
    from immunopipe.validate.runner import FileResult

CACHE_FORMAT = 1
CACHE_FILE = "validate-v1.json"


def fingerprint(context: RuleContext, severities: Mapping[str, Severity | None]) -> str:
    """A digest of everything besides the file itself that a validation result depends on."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}\0{context.today.isoformat()}\0".encode())
    digest.update(json.dumps(dict(context.options), sort_keys=True, default=str).encode())
    digest.update(json.dumps({k: v and v.value for k, v in severities.items()}, sort_keys=True).encode())
    package = resources.files("immunopipe")
    inputs = [package.joinpath("schema", "article.schema.json"), package.joinpath("load.py")]
    inputs += _files_below(package.joinpath("validate"))
    for item in sorted(inputs, key=lambda item: item.name):
        digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def _files_below(folder: Any) -> list[Any]:
    found = []
    for item in folder.iterdir():
        if item.is_dir():
            if item.name != "__pycache__":
                found += _files_below(item)
        elif not item.name.endswith(".pyc"):
            found.append(item)
    return found


class ResultCache:
    """Per-file results on disk, valid for one fingerprint."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self._path = directory / CACHE_FILE
        self._fingerprint = fingerprint
        self._entries = self._read()
        self._used: dict[str, Any] = {}
        self._dirty = False

    def _read(self) -> dict[str, Any]:
        try:
            stored = json.loads(self._path.read_bytes())
        except (OSError, ValueError):
            return {}
        valid = (
            isinstance(stored, dict)
            and stored.get("format") == CACHE_FORMAT
            and stored.get("fingerprint") == self._fingerprint
            and isinstance(stored.get("entries"), dict)
        )
        return stored["entries"] if valid else {}

    def get(self, raw: bytes, shown: str) -> FileResult | None:
        """The stored result for these bytes, reported under ``shown``, or ``None``."""
        key = hashlib.sha256(raw).hexdigest()
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            result = _decode(entry, shown)
        except (KeyError, TypeError, ValueError):
            self._dirty = True
            return None
        self._used[key] = entry
        return result

    def put(self, raw: bytes, result: FileResult) -> None:
        """Remember ``result`` for these bytes."""
        key = hashlib.sha256(raw).hexdigest()
        self._used[key] = _encode(result)
        self._dirty = True

    def save(self) -> None:
        """Write the entries used in this run (atomically); drop the rest. Failures are ignored."""
        from immunopipe.export.write import ExportFile, WriteError, write_files

        if not self._dirty and len(self._used) == len(self._entries):
            return
        stored = {"format": CACHE_FORMAT, "fingerprint": self._fingerprint, "entries": self._used}
        data = json.dumps(stored, separators=(",", ":")).encode()
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_files(self._path.parent.resolve(), [ExportFile(PurePosixPath(CACHE_FILE), data)])
        except (OSError, WriteError):
            return  # a cache that cannot be written only costs time


_SEVERITIES = {severity.value: severity for severity in Severity}


def _encode(result: FileResult) -> dict[str, Any]:
    return {
        "diagnostics": [[d.line, d.column, d.rule, d.message, d.severity.value, d.pointer] for d in result.diagnostics],
        "ref": None if result.ref is None else [result.ref.id, *result.ref.id_position],
    }


def _decode(entry: dict[str, Any], shown: str) -> FileResult:
    from immunopipe.validate.runner import FileResult

    diagnostics = tuple(
        Diagnostic(shown, int(line), int(column), str(rule), str(message), _SEVERITIES[severity], str(pointer))
        for line, column, rule, message, severity, pointer in entry["diagnostics"]
    )
    ref = entry["ref"]
    article = None if ref is None else ArticleRef(path=shown, id=str(ref[0]), id_position=(int(ref[1]), int(ref[2])))
    return FileResult(diagnostics, article)
