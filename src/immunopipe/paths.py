"""Which files a run reads: PATH arguments resolved to content files."""

from __future__ import annotations

from pathlib import Path

CONTENT_SUFFIXES = (".yaml", ".yml")


class MissingPath(Exception):
    """A path given on the command line does not exist (a usage problem, not a content one)."""


class LinkOutside(Exception):
    """A file found in a content folder links to a file outside that folder."""


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
            root = path.resolve()
            for candidate in sorted(path.rglob("*")):
                if candidate.suffix in CONTENT_SUFFIXES and candidate.is_file():
                    if not candidate.resolve().is_relative_to(root):
                        raise LinkOutside(f"refusing to read {candidate}: it is a link to a file outside {path}")
                    found.setdefault(candidate, None)
        elif path.is_file():
            found.setdefault(path, None)
        else:
            raise MissingPath(f"no such file or folder: {path}")
    return list(found)
