"""Which files a run reads: PATH arguments resolved to content files."""

from __future__ import annotations

import os
from pathlib import Path

from immunopipe.errors import ImmunopipeError

CONTENT_SUFFIXES = (".yaml", ".yml")


class MissingPath(ImmunopipeError):
    """A path given on the command line does not exist (a usage problem, not a content one)."""


class LinkOutside(ImmunopipeError):
    """A file found in a content folder links to a file outside that folder."""


class BrokenLink(ImmunopipeError):
    """A file found in a content folder is a link that cannot be followed (dangling, or a loop)."""


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
                try:
                    target = candidate.resolve(strict=True)
                except (OSError, RuntimeError):  # a dangling link or a loop (RuntimeError before Python 3.13)
                    raise BrokenLink(f"cannot read {candidate}: it is a link that leads nowhere or to itself") from None
                if not target.is_relative_to(root):
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
