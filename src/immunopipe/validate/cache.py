"""A cache of per-file validation results, so unchanged articles are not checked again.

An entry is keyed by the SHA-256 of the file's bytes, which include any ignore comments
(:mod:`immunopipe.validate.suppression`), so a changed suppression is never served stale; the
baseline is applied after the cache. The whole cache is tied to a fingerprint of everything else
a result depends on: the installed code, data and dependencies
(:func:`immunopipe.fingerprint.code_fingerprint`), the rule options and severities, and today's
date (some rules compare dates with today). Change any of them and every entry is ignored;
change one article and only its entry misses. Library-wide rules (duplicate ids, file names)
always run, over the cached ids.

The cache is a shortcut, never an authority: each entry carries the SHA-256 of its key and its
own content, checked on every read. An entry that fails the check or does not decode is a miss
(the file is checked again and the entry replaced); a cache that cannot be read, or that was
written for another fingerprint or format, is ignored and rebuilt. A checksum proves an entry
undamaged, not honest: see docs/reliability.md for why an export re-checks what it loads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from immunopipe.diagnostics import Diagnostic, Severity
from immunopipe.files.write import Staging
from immunopipe.fingerprint import code_fingerprint
from immunopipe.fonts import handout_font_files
from immunopipe.validate.context import ArticleRef, RuleContext

if TYPE_CHECKING:
    from immunopipe.validate.runner import FileResult

CACHE_FORMAT = 3
CACHE_FILE = "validate-v3.json"


def fingerprint(context: RuleContext, severities: Mapping[str, Severity | None]) -> str:
    """A digest of everything besides the file itself that a validation result depends on."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{code_fingerprint()}\0{context.today.isoformat()}\0".encode())
    digest.update(json.dumps(dict(context.options), sort_keys=True, default=str).encode())
    digest.update(json.dumps({k: v and v.value for k, v in severities.items()}, sort_keys=True).encode())
    # text-glyph-missing answers from the typeface's character maps, which live outside the package.
    for font_file in handout_font_files():
        digest.update(font_file.name.encode() + b"\0" + font_file.read_bytes())
    return digest.hexdigest()


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

    def get(self, key: str, shown: str) -> FileResult | None:
        """The stored result for the bytes of SHA-256 ``key``, reported under ``shown``, or ``None``."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            result = _decode(key, entry, shown)
        except (KeyError, TypeError, ValueError, AttributeError):
            self._dirty = True
            return None
        self._used[key] = entry
        return result

    def put(self, key: str, result: FileResult) -> None:
        """Remember ``result`` for the bytes of SHA-256 ``key``."""
        self._used[key] = _encode(key, result)
        self._dirty = True

    def save(self) -> None:
        """Write the entries used in this run (atomically); drop the rest. Failures are ignored.

        The file is written entry by entry, so saving never holds a second copy of every result.
        """
        if not self._dirty and len(self._used) == len(self._entries):
            return
        header = json.dumps({"format": CACHE_FORMAT, "fingerprint": self._fingerprint}, separators=(",", ":"))
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            staging = Staging(self._path.parent.resolve())
            try:
                file = staging.open(PurePosixPath(CACHE_FILE))
                file.handle.write(f'{header[:-1]},"entries":{{'.encode())
                for index, (key, entry) in enumerate(self._used.items()):
                    item = f"{',' if index else ''}{json.dumps(key)}:{json.dumps(entry, separators=(',', ':'))}"
                    file.handle.write(item.encode())
                file.handle.write(b"}}")
                staging.close(file)
                staging.commit()
            finally:
                staging.discard()
        except OSError:
            return  # a cache that cannot be written only costs time


_SEVERITIES = {severity.value: severity for severity in Severity}


def _checksum(key: str, content: Any) -> str:
    """The SHA-256 an entry carries: of its key and its content, so neither can be swapped alone."""
    return hashlib.sha256(key.encode() + b"\0" + json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def _encode(key: str, result: FileResult) -> dict[str, Any]:
    content = {
        "diagnostics": [
            [d.line, d.column, d.rule, d.message, d.severity.value, d.pointer, d.where] for d in result.diagnostics
        ],
        "ref": None if result.ref is None else [result.ref.id, *result.ref.id_position],
        "suppressed": result.suppressed,
    }
    return {**content, "checksum": _checksum(key, content)}


def _decode(key: str, entry: dict[str, Any], shown: str) -> FileResult:
    from immunopipe.validate.runner import FileResult

    content = {"diagnostics": entry["diagnostics"], "ref": entry["ref"], "suppressed": entry["suppressed"]}
    if entry.get("checksum") != _checksum(key, content):
        raise ValueError("the entry does not match its checksum")
    diagnostics = tuple(
        Diagnostic(
            shown, int(line), int(column), str(rule), str(message), _SEVERITIES[severity], str(pointer), str(where)
        )
        for line, column, rule, message, severity, pointer, where in entry["diagnostics"]
    )
    ref = entry["ref"]
    article = None if ref is None else ArticleRef(path=shown, id=str(ref[0]), id_position=(int(ref[1]), int(ref[2])))
    return FileResult(diagnostics, article, int(entry["suppressed"]))
