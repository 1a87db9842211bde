"""Writing files safely: each file appears whole or not at all, and only inside its folder.

Every file is written to a temporary file beside its target, ``fsync``-ed (a staging syncs all of
its files together, before the first is moved), given the usual permissions (``0666`` minus the
umask; ``mkstemp`` alone would leave ``0600``) and then moved over the target with
:func:`os.replace`, which is atomic. A crash or kill therefore leaves either the old file or the
new one, never a truncated one. Temporary files are removed on any exception, also one raised while
writing, flushing or closing them (a full disk). The ones a killed process could not remove are
named ``.<target name>.<16 random hex digits>.immunopipe-tmp`` (:data:`TEMP_NAME`); the next export
removes regular files named exactly so, and nothing else
(:func:`remove_stray_temp_files`).

:class:`Staging` puts a whole export together this way without holding it in memory: files are
staged one by one as they are rendered (or streamed into their temporary file), and nothing is
moved into place until :meth:`Staging.commit`. It records, for every path, the SHA-256 of the
bytes on disk before and after, so :mod:`immunopipe.files.manifest` can check who owns a file
before anything is replaced.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple

from filelock import FileLock, Timeout

from immunopipe.errors import ImmunopipeError

#: Ending of temporary files (``.<target name>.<random><TEMP_SUFFIX>``), so strays can be found.
TEMP_SUFFIX = ".immunopipe-tmp"

#: How many random bytes a temporary file's name holds (written as twice as many hex digits).
TEMP_RANDOM_BYTES = 8

#: Exactly the names :func:`new_temp_file` gives: only files named so are ever removed as strays.
TEMP_NAME = re.compile(rf"\.(?P<target>[^/]+)\.[0-9a-f]{{{2 * TEMP_RANDOM_BYTES}}}{re.escape(TEMP_SUFFIX)}")

#: Lock file that keeps two exports into the same folder from interleaving.
LOCK_NAME = ".immunopipe.lock"
LOCK_TIMEOUT_SECONDS = 60.0

#: One part of a relative output path: no leading dot (so no ``..`` and no hidden files), no separators.
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

_HINTS = {
    errno.EACCES: "check the folder's permissions, or choose another folder with --out",
    errno.EPERM: "check the folder's permissions, or choose another folder with --out",
    errno.EROFS: "the file system is read-only; choose another folder with --out",
    errno.ENOSPC: "the disk is full; free some space and export again",
    errno.EDQUOT: "the disk quota is used up; free some space and export again",
    errno.ENOTDIR: "a file stands where a folder is needed; choose another folder with --out",
    errno.EEXIST: "a file stands where a folder is needed; choose another folder with --out",
}


class ExportFile(NamedTuple):
    """One file of an export: its path relative to the output folder, and its bytes."""

    path: PurePosixPath
    data: bytes


class WriteError(ImmunopipeError):
    """The output folder cannot be written: permissions, space, a file in the way, or an unsafe path."""


def describe_os_error(exc: OSError, out_dir: Path) -> str:
    """A one-line explanation of ``exc`` for someone exporting into ``out_dir``."""
    where = exc.filename or out_dir
    reason = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno or 0)
    return f"cannot write exports to {out_dir}: {reason}: {where}" + (f" ({hint})" if hint else "")


def contained_path(root: Path, relative: PurePosixPath) -> Path:
    """``root / relative``, refusing any path that could land outside ``root``.

    ``root`` must already be resolved. Each part of ``relative`` must be a plain name; the
    resolved result (following any symlinks already on disk) must still be inside ``root``.
    """
    if relative.is_absolute() or not relative.parts or not all(_SAFE_PART.fullmatch(p) for p in relative.parts):
        raise WriteError(f"refusing to write {str(relative)!r}: not a plain relative file name")
    target = root.joinpath(*relative.parts)
    if not target.resolve().is_relative_to(root):
        raise WriteError(f"refusing to write {relative}: it resolves to a place outside {root}")
    return target


@contextmanager
def locked(root: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the output folder ``root`` (which must exist).

    When another export holds it, ``on_wait`` is called once before waiting (up to a minute).
    """
    lock = FileLock(root / LOCK_NAME, timeout=LOCK_TIMEOUT_SECONDS)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            lock.acquire()
    except Timeout:
        raise WriteError(f"another export has been writing to {root} for over a minute; try again later") from None
    try:
        yield
    finally:
        lock.release()


def new_file_mode() -> int:
    """Permissions for new files: ``0666`` minus the process umask (read for all by default).

    Reading the umask means setting it briefly, so call this from one thread at a time.
    """
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_files(root: Path, files: Sequence[ExportFile]) -> list[PurePosixPath]:
    """Write ``files`` under ``root`` atomically; return the paths whose content changed.

    Files whose bytes are already on disk are left untouched (their dates too). The rest are
    written in two phases: first every new file is written in full to a temporary file and
    flushed to disk; only then are they moved into place, in the given order. A failure in the
    first phase leaves every existing file as it was; on any exception the temporary files are removed.
    A folder where a file goes is refused before anything is moved into place.
    """
    staging = Staging(root)
    try:
        for file in files:
            staging.add(file.path, file.data)
        folders = [root.joinpath(*path.parts) for path in staging.paths]
        in_the_way = next((target for target in folders if target.is_dir() and not target.is_symlink()), None)
        if in_the_way is not None:
            raise WriteError(f"refusing to write {in_the_way}: a folder is in the way; move it and try again")
        return staging.commit()
    finally:
        staging.discard()


#: :attr:`Staging.found` of a target that is there but is not a regular file (a folder, a link, a FIFO).
NOT_A_FILE = "not a regular file"
#: :attr:`Staging.found` of a regular file that cannot be read (permissions).
UNREADABLE = "unreadable regular file"
#: What :func:`file_sha256` finds where no bytes could be seen: such a file is never replaced.
UNSEEN = frozenset({NOT_A_FILE, UNREADABLE})


class StagedFile(NamedTuple):
    """A temporary file being written for ``path``: write to ``handle``, then close it with the staging."""

    path: PurePosixPath
    target: Path
    temp: Path
    handle: BinaryIO


class Staging:
    """New files for ``root`` written whole beside their targets, moved into place together by :meth:`commit`.

    Files whose bytes are already on disk are not staged (the existing file keeps its dates).
    Call :meth:`discard` when done, whatever happened: it removes every temporary file left.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        #: Every path given to the staging, staged or already up to date, in order.
        self.paths: list[PurePosixPath] = []
        #: Per path, what was on disk when it was staged: the SHA-256 of a regular file's bytes,
        #: :data:`NOT_A_FILE`, or ``None`` when nothing was there.
        self.found: dict[PurePosixPath, str | None] = {}
        #: Per path, the SHA-256 of the bytes it will hold once committed.
        self.sha256: dict[PurePosixPath, str] = {}
        self._mode = new_file_mode()
        self._staged: list[tuple[PurePosixPath, Path, Path]] = []
        #: Temporary files not yet moved into place, with their handle while it is open.
        self._temps: dict[Path, BinaryIO | None] = {}
        #: Staged temporary files written and closed but not yet synced to disk.
        self._unsynced: list[Path] = []

    def add(self, path: PurePosixPath, data: bytes) -> None:
        """Stage ``data`` as the new content of ``path`` (nothing is staged if it is already there)."""
        target = self._listed(path)
        found = self.found[path] = file_sha256(target)
        self.sha256[path] = hashlib.sha256(data).hexdigest()
        if found == self.sha256[path]:
            return
        file = self._create(path, target)
        file.handle.write(data)
        self._finish(file)

    def keep(self, path: PurePosixPath, sha256: str) -> bool:
        """List ``path`` as up to date if its target's bytes have this SHA-256; say whether they do."""
        found = file_sha256(contained_path(self.root, path))
        if found != sha256:
            return False
        self.paths.append(path)
        self.found[path] = self.sha256[path] = sha256
        return True

    def open(self, path: PurePosixPath) -> StagedFile:
        """A new temporary file for ``path``, for content too large to hold: pass it to :meth:`close`."""
        return self._create(path, self._listed(path))

    def close(self, file: StagedFile) -> None:
        """Stage the finished ``file``, or drop it if the target already holds the same bytes."""
        file.handle.flush()
        self.sha256[file.path] = file_sha256(file.temp) or ""
        self.found[file.path] = file_sha256(file.target)
        if self.found[file.path] == self.sha256[file.path]:
            self._remove(file)
        else:
            self._finish(file)

    def drop(self, file: StagedFile) -> None:
        """Give ``file`` up: remove its temporary file and forget its path."""
        self._remove(file)
        self.paths.remove(file.path)
        self.found.pop(file.path, None)
        self.sha256.pop(file.path, None)

    def sync(self) -> None:
        """``fsync`` every staged file not synced yet, many at a time; raise the first failure.

        Syncing files one after the other waits for the disk once per file; syncing them together
        lets the file system commit them in a few batches (500 small files: 1.5 s one by one,
        0.06 s together, on the machine the benchmarks ran on).
        """
        unsynced, self._unsynced = self._unsynced, []
        if not unsynced:
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(SYNC_THREADS, len(unsynced))) as pool:
            failures = [exc for exc in pool.map(_sync_file, unsynced) if exc is not None]
        if failures:
            raise failures[0]

    def commit(self) -> list[PurePosixPath]:
        """Move every staged file into place (synced first), in staging order; return their paths."""
        self.sync()
        for _path, temp, target in self._staged:
            os.replace(temp, target)
            del self._temps[temp]
        for folder in dict.fromkeys(target.parent for _, _, target in self._staged):
            sync_folder(folder)
        return [path for path, _, _ in self._staged]

    def discard(self) -> None:
        """Close and remove every temporary file not moved into place, even ones that fail to close."""
        for temp, handle in self._temps.items():
            remove_temp_file(temp, handle)
        self._temps.clear()

    def _listed(self, path: PurePosixPath) -> Path:
        """The checked target of ``path``, now listed in :attr:`paths`."""
        target = contained_path(self.root, path)
        self.paths.append(path)
        return target

    def _create(self, path: PurePosixPath, target: Path) -> StagedFile:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = new_temp_file(target)
        self._temps[temp] = handle
        return StagedFile(path, target, temp, handle)

    def _remove(self, file: StagedFile) -> None:
        del self._temps[file.temp]
        remove_temp_file(file.temp, file.handle)

    def _finish(self, file: StagedFile) -> None:
        """Close ``file`` and stage it; it is synced with the others by :meth:`sync`."""
        file.handle.flush()
        file.handle.close()
        self._temps[file.temp] = None
        os.chmod(file.temp, self._mode)
        self._staged.append((file.path, file.temp, file.target))
        self._unsynced.append(file.temp)


#: Files synced at once by :meth:`Staging.sync`.
SYNC_THREADS = 16


def _sync_file(path: Path) -> OSError | None:
    """``fsync`` the file ``path``; the error, if it fails, is returned rather than raised."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        return exc
    return None


def new_temp_file(target: Path) -> tuple[BinaryIO, Path]:
    """A new, empty temporary file beside ``target`` (mode ``0600``, open for reading and writing).

    Its name matches :data:`TEMP_NAME`: ``.<target name>.<random hex>.immunopipe-tmp``.
    """
    temp = target.with_name(f".{target.name}.{secrets.token_hex(TEMP_RANDOM_BYTES)}{TEMP_SUFFIX}")
    descriptor = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    return os.fdopen(descriptor, "w+b"), temp


def remove_temp_file(temp: Path, handle: BinaryIO | None) -> None:
    """Close ``handle`` (if still open) and remove ``temp``; a close that fails (disk full) still removes it."""
    try:
        if handle is not None:
            with suppress(OSError):  # flushing the last bytes failed: they are not wanted anyway
                handle.close()
    finally:
        temp.unlink(missing_ok=True)


def replace_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` (any name, hidden ones too) through a synced temporary file; sync the folder."""
    handle, temp = new_temp_file(target)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, new_file_mode())
        os.replace(temp, target)
    except BaseException:
        remove_temp_file(temp, handle)
        raise
    sync_folder(target.parent)


def remove_stray_temp_files(folder: Path) -> int:
    """Remove the temporary files an interrupted export left in ``folder``; return how many.

    Only regular files named exactly as :func:`new_temp_file` names them are removed; a file
    of any other name, a link or a folder is never touched.
    """
    if not folder.is_dir():
        return 0
    strays = [
        entry for entry in folder.iterdir() if TEMP_NAME.fullmatch(entry.name) and stat.S_ISREG(entry.lstat().st_mode)
    ]
    for entry in strays:
        entry.unlink(missing_ok=True)
    return len(strays)


def sync_folder(folder: Path) -> None:
    """``fsync`` a folder so renames and deletions in it survive a power cut (POSIX only)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # some file systems cannot sync folders
            raise
    finally:
        os.close(descriptor)


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of the regular file ``path``; :data:`NOT_A_FILE` for anything else there; ``None`` if nothing is.

    A link is never followed (a link is not a file an export writes). A regular file that cannot
    be read is :data:`UNREADABLE`: like :data:`NOT_A_FILE` (both in :data:`UNSEEN`), nothing is
    ever replaced on the strength of bytes not seen.
    """
    try:
        status = path.lstat()
    except (
        FileNotFoundError,
        NotADirectoryError,
    ):  # nothing there (a file where a folder should be is the writer's to report)
        return None
    except OSError:
        return NOT_A_FILE
    if not stat.S_ISREG(status.st_mode):
        return NOT_A_FILE
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return UNREADABLE
    return digest.hexdigest()
