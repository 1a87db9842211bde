"""Rendered handouts kept on disk, so that exporting unchanged articles renders nothing.

Each handout is stored as ``<cache folder>/pdf/<key>.pdf``, where the key is the SHA-256 of a
fingerprint of the renderer (its code, template, stylesheet, font files, library versions,
paper and print size: :func:`immunopipe.export.pdf.render_fingerprint`) and of the article's own
inputs (its data and PDF dates). Change any of them and the key changes; the old entry is simply
not asked for again.

Entries are written atomically (a temporary file moved into place) and checked when read: an
entry that is not a whole PDF (``%PDF-`` at the start, ``%%EOF`` at the end) or whose SHA-256
does not match the one in its name is ignored and replaced, never served. A cache that cannot
be read or written only costs time. Nothing is ever removed: delete the folder to reclaim space.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path, PurePosixPath

from immunopipe.files.write import ExportFile, WriteError, write_files

#: Sub-folder of the cache folder that holds handouts.
FOLDER = "pdf"

#: Characters of the content digest kept in an entry's name.
CHECKSUM_LENGTH = 16


class HandoutCache:
    """Handouts on disk under ``directory/pdf/``, for one renderer fingerprint."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self._directory = directory
        self._fingerprint = fingerprint.encode()
        self._names: dict[str, list[str]] | None = None

    def key(self, article_inputs: bytes) -> str:
        """The key of the handout rendered from ``article_inputs`` with this cache's renderer."""
        return hashlib.sha256(self._fingerprint + b"\0" + article_inputs).hexdigest()

    def get(self, key: str) -> bytes | None:
        """The stored handout for ``key`` if there is a whole, unaltered one; else ``None``.

        An entry that fails the check is removed.
        """
        for name in self._entries().get(key, []):
            path = self._directory / FOLDER / name
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if name == _entry_name(key, data) and is_whole_pdf(data):
                return data
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        return None

    def put(self, key: str, pdf: bytes) -> None:
        """Store ``pdf`` under ``key`` (atomically); failures are ignored."""
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            write_files(self._directory.resolve(), [ExportFile(PurePosixPath(FOLDER, _entry_name(key, pdf)), pdf)])
        except (OSError, WriteError):
            return  # a cache that cannot be written only costs time

    def _entries(self) -> dict[str, list[str]]:
        """Entry names by key, read from the folder once."""
        if self._names is None:
            self._names = {}
            try:
                names = sorted(entry.name for entry in os.scandir(self._directory / FOLDER) if entry.is_file())
            except OSError:
                names = []
            for name in names:
                key, _, rest = name.partition("-")
                if rest.endswith(".pdf"):
                    self._names.setdefault(key, []).append(name)
        return self._names


def is_whole_pdf(data: bytes) -> bool:
    """True when ``data`` starts like a PDF file and ends with its end-of-file marker."""
    return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def _entry_name(key: str, pdf: bytes) -> str:
    """``<key>-<start of the PDF's SHA-256>.pdf``: the name carries the checksum of the content."""
    return f"{key}-{hashlib.sha256(pdf).hexdigest()[:CHECKSUM_LENGTH]}.pdf"
