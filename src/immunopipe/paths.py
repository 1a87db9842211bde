"""Which files a run reads: PATH arguments resolved to content files."""

from __future__ import annotations

from pathlib import Path

CONTENT_SUFFIXES = (".yaml", ".yml")


class MissingPath(Exception):
    """A path given on the command line does not exist (a usage problem, not a content one)."""


def find_content_files(paths: list[Path]) -> list[Path]:
    """The content files named by ``paths``: files as given, folders searched for ``*.yaml``/``*.yml``.

    Order is stable (sorted within each folder) and each file appears once.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if candidate.suffix in CONTENT_SUFFIXES and candidate.is_file():
                    found.setdefault(candidate, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise MissingPath(f"no such file or folder: {path}")
    return list(found)
