"""The last run's printed report and exit code, kept whole, so a run over unchanged input only reads, hashes and prints.

The per-file cache (:mod:`immunopipe.validate.cache`) spares checking unchanged files, but a run
still builds every diagnostic again, runs the library-wide rules, applies the baseline and
formats the report. When nothing at all has changed, that work prints the same report and ends
with the same exit code as last time. So after a ``validate`` run the exact output it printed
and its exit code are stored. The next run reads every content file, hashes it and, when the key
matches, writes the stored output in one write and exits with the stored code, without loading
YAML, the schema, the rules or the classification lookups.

The key covers everything that can change the output or the exit code: the fingerprint of the
code, rule options, severities, typefaces and date (:func:`immunopipe.validate.cache.fingerprint`),
the files checked (their order, the paths as shown and the SHA-256 of their bytes), the report
format, colours, ``--strict``, ``--max-warnings`` and the baseline file (its path and bytes).
A run with a clinic profile is never answered from here (the profile's logo is another file the
report depends on), nor is one where a content file cannot be read.

Only the last run is kept. The file holds one JSON line (layout, key, exit code), then the
output as UTF-8. Anything unexpected in it means a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from immunopipe.files.write import ExportFile, WriteError, write_files
from immunopipe.paths import display_path

RUN_FILE = "validate-run-v3.bin"
RUN_LAYOUT = 3


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """Everything besides the content files that shapes a run's output and exit code."""

    #: :func:`immunopipe.validate.cache.fingerprint` of the rule context and severities.
    fingerprint: str
    report_format: str
    styled: bool
    strict: bool
    max_warnings: int | None
    baseline: Path | None

    def digest(self) -> str | None:
        """A SHA-256 of the settings, the baseline's bytes included; ``None`` if the baseline cannot be read."""
        baseline_bytes = b""
        if self.baseline is not None:
            try:
                baseline_bytes = self.baseline.read_bytes()
            except OSError:
                return None
        settings = [self.fingerprint, self.report_format, self.styled, self.strict, self.max_warnings]
        settings.append(None if self.baseline is None else str(self.baseline))
        digest = hashlib.sha256(json.dumps(settings).encode() + b"\0" + baseline_bytes)
        return digest.hexdigest()


@dataclass(frozen=True)
class StoredRun:
    """What a run printed on standard output, and how it ended."""

    output: str
    exit_code: int


def _run_key(settings_digest: str, digests: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(f"{RUN_LAYOUT}\0{settings_digest}\0".encode())
    for shown, file_digest in digests:
        digest.update(f"{shown}\0{file_digest}\n".encode())
    return digest.hexdigest()


class RunCache:
    """The stored output of the last ``validate`` run in ``directory``."""

    def __init__(self, directory: Path, settings: RunSettings) -> None:
        self._path = directory / RUN_FILE
        self._settings = settings
        #: The settings' digest as read before the run (a baseline changed during it is not stored).
        self._settings_digest = settings.digest()

    @property
    def fingerprint(self) -> str:
        """The per-file cache's fingerprint these settings were made with."""
        return self._settings.fingerprint

    def stored(self, files: list[Path]) -> StoredRun | None:
        """The stored run if ``files`` and the settings are those it was made for, else ``None``."""
        if self._settings_digest is None:
            return None
        try:
            data = self._path.read_bytes()
            digests = [(display_path(path), hashlib.sha256(path.read_bytes()).hexdigest()) for path in files]
        except OSError:
            return None
        try:
            end = data.index(b"\n")
            header = json.loads(data[:end])
            if header.get("layout") != RUN_LAYOUT or header.get("key") != _run_key(self._settings_digest, digests):
                return None
            exit_code = header["exit_code"]
            if not isinstance(exit_code, int):
                return None
            return StoredRun(data[end + 1 :].decode("utf-8"), exit_code)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, files: list[Path], read_digests: dict[Path, str], run: StoredRun) -> None:
        """Store ``run`` over ``files`` as read (SHA-256 ``read_digests``), atomically. Failures are ignored.

        Nothing is stored when a file could not be read, or the settings changed during the run.
        """
        if self._settings_digest is None or self._settings.digest() != self._settings_digest:
            return
        if any(path not in read_digests for path in files):
            return
        key = _run_key(self._settings_digest, [(display_path(path), read_digests[path]) for path in files])
        header = {"layout": RUN_LAYOUT, "key": key, "exit_code": run.exit_code}
        try:
            data = json.dumps(header).encode() + b"\n" + run.output.encode("utf-8")
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_files(self._path.parent.resolve(), [ExportFile(PurePosixPath(RUN_FILE), data)])
        except (OSError, WriteError, UnicodeError):
            return  # a cache that cannot be written only costs time
