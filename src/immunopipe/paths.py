"""Which files a run reads: PATH arguments resolved to content files, completely or not at all.

Discovery never skips silently. Anything under a PATH that cannot be searched or followed (a
folder without permission, a link loop, a link that leads nowhere, a path longer than the system
allows, a folder that vanished while it was searched, a FIFO or device with a content file's name)
stops the run with a :class:`DiscoveryError` naming it, before any file is read: an incomplete
list of articles must never be taken for the whole library (an export with ``--prune`` would
otherwise remove the exports of the articles it did not see). Files that are found but cannot be
read are reported later, located, by the loader (``file-unreadable``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from immunopipe.errors import ImmunopipeError

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


class DiscoveryError(ImmunopipeError):
    """A PATH, or something under it, cannot be searched completely (a usage or environment problem: exit 2)."""


class MissingPath(DiscoveryError):
    """A path given on the command line does not exist (a usage problem, not a content one)."""


class LinkOutside(DiscoveryError):
    """A file or folder found in a content folder links to a place outside that folder."""


class Unsearchable(DiscoveryError):
    """Something under a PATH cannot be searched or followed, or is not a regular file."""


def _explain(exc: OSError, path: str | Path) -> Unsearchable:
    """One line saying why ``path`` could not be searched, and what to do."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ENOENT:
        return Unsearchable(f"{path} vanished while the content was searched; run again once it is back or gone")
    if exc.errno == errno.ELOOP:
        return Unsearchable(f"cannot follow {path}: a link loop ({reason}); remove the link or point it at a file")
    if exc.errno == errno.ENAMETOOLONG:
        return Unsearchable(f"cannot search {path}: {reason}; move the content to a shorter path")
    return Unsearchable(f"cannot search {path}: {reason}; fix its permissions or leave it out of PATH")


def _raise(exc: OSError) -> None:
    raise _explain(exc, exc.filename or "a folder") from None


def _target_status(path: Path) -> os.stat_result:
    """The status of what ``path`` leads to; :class:`Unsearchable` if it leads nowhere."""
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise Unsearchable(f"cannot follow {path}: a link to a missing file; remove it or fix its target") from None
        raise _explain(FileNotFoundError(errno.ENOENT, "vanished"), path) from None
    except OSError as exc:
        raise _explain(exc, path) from None
    except RuntimeError:  # Python 3.11 reports some link loops this way
        raise Unsearchable(f"cannot follow {path}: a link loop; remove the link or point it at a file") from None


def _lstat(path: Path) -> os.stat_result:
    try:
        return path.lstat()
    except OSError as exc:
        raise _explain(exc, path) from None


def _refuse_loop(link: Path) -> None:
    """:class:`Unsearchable` if ``link`` is part of a link loop (a folder it stands for could hold content)."""
    try:
        link.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _explain(exc, link) from None
    except RuntimeError:  # Python 3.11 reports some link loops this way
        raise Unsearchable(f"cannot follow {link}: a link loop; remove the link or point it at a file") from None


def _check_link(link: Path, root: Path, folder: Path) -> Path:
    """Where ``link`` (found under ``folder``) leads, refused unless it stays inside the folder."""
    _target_status(link)  # a loop or a missing target, reported as such
    target = link.resolve()
    if not target.is_relative_to(root):
        what = "folder" if target.is_dir() else "file"
        raise LinkOutside(f"refusing to read {link}: it is a link to a {what} outside {folder}")
    return target


def _files_below(folder: Path) -> list[Path]:
    """Content files in ``folder`` and its subfolders, every one of them, or :class:`DiscoveryError`.

    Links to folders inside ``folder`` are not entered (their files are found where they really
    are); links to folders outside it, link loops and content files that link out of it or
    nowhere are refused. Other links (a virtual environment's ``bin/python``) are not content.
    """
    root = folder.resolve()
    files = []
    for directory, subfolders, names in os.walk(folder, onerror=_raise):
        for name in sorted(subfolders):
            candidate = Path(directory, name)
            if stat.S_ISLNK(_lstat(candidate).st_mode):
                _check_link(candidate, root, folder)
        for name in sorted(names):
            candidate = Path(directory, name)
            status = _lstat(candidate)
            if not name.endswith(CONTENT_SUFFIXES):
                if stat.S_ISLNK(status.st_mode):
                    _refuse_loop(candidate)  # a loop may stand for a folder; any other link is not content
                continue
            if stat.S_ISLNK(status.st_mode):
                _check_link(candidate, root, folder)
                status = _target_status(candidate)
            if not stat.S_ISREG(status.st_mode):
                raise Unsearchable(f"{candidate} is not a regular file; rename it or move it out of {folder}")
            files.append(candidate)
    return files


def find_content_files(paths: list[Path]) -> list[Path]:
    """The content files named by ``paths``: files as given, folders searched for ``*.yaml``/``*.yml``.

    Order is stable (sorted within each folder) and each file appears once. A file or folder found
    in a folder that links outside it is refused (:class:`LinkOutside`): reading it could print a
    file that is not content, such as a secret a change links to, in a public CI log. Files named
    directly are read as given. Anything that cannot be searched raises :class:`DiscoveryError`.
    """
    if any(not path.is_absolute() for path in paths):
        try:
            os.getcwd()
        except OSError:
            raise Unsearchable(
                "the working folder no longer exists; change to an existing folder and run again"
            ) from None
    found: dict[Path, None] = {}
    for path in paths:
        try:
            status = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                raise Unsearchable(f"cannot follow {path}: a link to a missing file or folder") from None
            raise MissingPath(f"no such file or folder: {path}") from None
        except OSError as exc:
            raise _explain(exc, path) from None
        except RuntimeError:
            raise Unsearchable(f"cannot follow {path}: a link loop; remove the link or point it at a file") from None
        if stat.S_ISDIR(status.st_mode):
            for candidate in sorted(_files_below(path)):
                found.setdefault(candidate, None)
        elif stat.S_ISREG(status.st_mode):
            found.setdefault(path, None)
        else:
            raise Unsearchable(f"{path} is not a regular file or a folder")
    return list(found)
