"""Which files a run reads: PATH arguments resolved to content files."""

from __future__ import annotations

import os
from pathlib import Path

CONTENT_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it, as editors expect."""
    if not path.is_absolute() and ".." not in path.parts:
        return str(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


class MissingPath(Exception):
    """A path given on the command line does not exist (a usage problem, not a content one)."""


class LinkOutside(Exception):
    """A file found in a content folder links to a file outside that folder."""


def _files_below(folder: Path) -> list[Path]:
    """Content files in ``folder`` and its subfolders (linked folders are not entered)."""
    root: Path | None = None
    files = []
    for directory, _subfolders, names in os.walk(folder):
        for name in names:
            if not name.endswith(CONTENT_SUFFIXES):
                continue
            candidate = Path(directory, name)
            if candidate.is_symlink():
                root = root or folder.resolve()
                if not candidate.resolve().is_relative_to(root):
                    raise LinkOutside(f"refusing to read {candidate}: it is a link to a file outside {folder}")
            if candidate.is_file():
                files.append(candidate)
    return files


def find_content_files(paths: list[Path]) -> list[Path]:
    """The content files named by ``paths``: files as given, folders searched for ``*.yaml``/``*.yml``.

    Order is stable (sorted within each folder) and each file appears once. A file found in a
    folder that is a link to a file outside it is refused (:class:`LinkOutside`): reading it could
    print a file that is not content, such as a secret a change links to, in a public CI log.
    Files named directly are read as given.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(_files_below(path)):
                found.setdefault(candidate, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise MissingPath(f"no such file or folder: {path}")
    return list(found)
