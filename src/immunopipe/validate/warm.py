"""The last run's report, kept whole, so a run over unchanged files only reads, hashes and prints.

The per-file cache (:mod:`immunopipe.validate.cache`) spares checking unchanged files, but a run
still builds every diagnostic again, runs the library-wide rules and formats the report. When
nothing at all has changed, that work gives the same report as last time. So after a run the
report printed is stored once more, already formatted (the text lines, or the JSON report
without its verdict, which depends on ``--strict``), with the counts the summary needs and which
files were valid. The next run in the same format reads every file, hashes it and, when the
files, their order, their bytes and the fingerprint of everything else
(:func:`immunopipe.validate.cache.fingerprint`: version, schema, rules, options, severities, date)
are those of the stored run, prints the stored report in one write, without running a rule or
loading the schema or YAML. (Rule modules are imported, since they declare their settings: a
rule needing a slow package imports it inside its check.)

Only the format printed last is kept (the JSON report of a large library is large). The file
holds one JSON line (the key, the format and the counts), then the report as UTF-8. Anything
unexpected in it means a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from immunopipe.paths import display_path

if TYPE_CHECKING:
    from immunopipe.validate.runner import Outcome


@dataclass(frozen=True)
class StoredReport:
    """A plain text or JSON report formatted ahead, and the counts of its summary."""

    #: ``text`` or ``json``: the only report an outcome holding this one can print.
    format: str
    #: Text: every diagnostic as a line ending in a newline. JSON: the report with ``"valid": null``,
    #: to be replaced by the verdict.
    body: str
    errors: int
    warnings: int
    #: How many files have at least one diagnostic.
    files_with_problems: int


RUN_FILE = "validate-run-v2.bin"
RUN_LAYOUT = 1


@dataclass
class WarmOutcome:
    """A run's outcome with its report formatted: stored by this run, or answered from the last.

    The diagnostics themselves are not kept: the report says all there is to say.
    """

    report: StoredReport
    files_checked: int
    valid_files: list[Path]
    digests: dict[Path, str] = field(default_factory=dict)

    def failed(self, *, strict: bool = False) -> bool:
        """True when the run should fail (errors; warnings too under ``strict``)."""
        return self.report.errors > 0 or (strict and self.report.warnings > 0)


def _run_key(fingerprint: str, digests: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(fingerprint.encode() + b"\0")
    for shown, file_digest in digests:
        digest.update(f"{shown}\0{file_digest}\n".encode())
    return digest.hexdigest()


class RunCache:
    """The stored report of the last run in ``directory``, valid for one fingerprint."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self._path = directory / RUN_FILE
        self._fingerprint = fingerprint

    def outcome(self, files: list[Path], report_format: str) -> WarmOutcome | None:
        """The stored outcome if ``files`` hold the bytes of the stored run in that format, else ``None``."""
        try:
            digests = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
            data = self._path.read_bytes()
        except OSError:
            return None
        key = _run_key(self._fingerprint, [(display_path(path), digest) for path, digest in digests.items()])
        try:
            end = data.index(b"\n")
            header = json.loads(data[:end])
            if header.get("layout") != RUN_LAYOUT or header.get("key") != key:
                return None
            if header.get("format") != report_format:
                return None
            report = StoredReport(
                format=report_format,
                body=data[end + 1 :].decode("utf-8"),
                errors=header["errors"],
                warnings=header["warnings"],
                files_with_problems=header["files_with_problems"],
            )
            valid = [files[index] for index in header["valid"]]
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        return WarmOutcome(report, len(files), valid, {path: digests[path] for path in valid})

    def save(self, files: list[Path], outcome: Outcome, report: StoredReport) -> None:
        """Store ``report`` of ``outcome`` over ``files`` (atomically). Failures are ignored.

        Nothing is stored when a file could not be read: such a run cannot be told apart later.
        """
        from immunopipe.export.write import ExportFile, WriteError, write_files

        if any(path not in outcome.read_digests for path in files):
            return
        key = _run_key(self._fingerprint, [(display_path(path), outcome.read_digests[path]) for path in files])
        valid = set(outcome.valid_files)
        header = {
            "layout": RUN_LAYOUT,
            "key": key,
            "format": report.format,
            "errors": report.errors,
            "warnings": report.warnings,
            "files_with_problems": report.files_with_problems,
            "valid": [index for index, path in enumerate(files) if path in valid],
        }
        data = json.dumps(header).encode() + b"\n" + report.body.encode("utf-8")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_files(self._path.parent.resolve(), [ExportFile(PurePosixPath(RUN_FILE), data)])
        except (OSError, WriteError):
            return  # a cache that cannot be written only costs time
