"""Which files in an output folder an export owns: a manifest of what it wrote, with each file's SHA-256.

Each folder an export writes (``json/``, ``csv/``, ``pdf/``) holds ``.immunopipe-manifest.json``
listing the files the last export left there and the SHA-256 of their bytes. An export replaces
or removes a file only when the manifest lists it and the file still has those bytes. Anything
else where an export file must go is refused before a single file is replaced
(:class:`OwnershipError`):

- a **foreign** file: not in the manifest (the user's own ``settings.json``, a file another tool
  wrote, or the exports of an immunopipe without manifests) and holding other bytes than the
  export would write; a file that already holds exactly those bytes is simply taken over;
- an **edited** file: in the manifest, but its bytes changed since (replaced or removed only
  with ``overwrite_edited``);
- something that is **not a regular file** (a folder, a link, a FIFO).

Files the manifest lists that an export no longer produces (the exports of articles that are
gone) stay, still owned, unless the export is told to ``prune`` them.

Crash safety: before the first file is replaced, the manifest is rewritten to accept both the
old and the new bytes of every file; after the last replacement and removal it is rewritten with
the new bytes only. A kill at any moment therefore leaves every file either recognisably the
export's (old or new) or untouched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from immunopipe.files.write import (
    NOT_A_FILE,
    UNREADABLE,
    UNSEEN,
    WriteError,
    contained_path,
    file_sha256,
    replace_atomically,
    sync_folder,
)

MANIFEST_NAME = ".immunopipe-manifest.json"
MANIFEST_VERSION = 1
#: Identifies a manifest file, so a file of the same name that is not one is never overwritten.
MANIFEST_KIND = "immunopipe export manifest"


class OwnershipError(WriteError):
    """A file an export would replace or remove is not (or no longer) the export's own."""


@dataclass(frozen=True)
class Manifest:
    """The files of one output folder an export owns: name in the folder to the SHA-256s accepted."""

    folder: PurePosixPath
    files: Mapping[str, frozenset[str]]

    def owns(self, name: str, sha256: str | None) -> bool:
        """True when ``name`` is listed and ``sha256`` is bytes this manifest recorded for it."""
        return sha256 is not None and sha256 in self.files.get(name, ())


def read_manifest(root: Path, folder: PurePosixPath, shown_root: Path) -> Manifest:
    """The manifest of ``root/folder`` (empty if there is none); :class:`OwnershipError` if it is not one.

    Messages name the manifest under ``shown_root``, the output folder as the user gave it.
    """
    path = root / folder / MANIFEST_NAME
    where = shown_root / folder / MANIFEST_NAME
    found = file_sha256(path)
    if found is None:
        return Manifest(folder, {})
    hint = "restore it, or delete it and export again (files then count as not written by immunopipe)"
    if found == NOT_A_FILE:
        raise OwnershipError(f"cannot read the export manifest {where}: it is not a regular file; {hint}")
    if found == UNREADABLE:
        raise OwnershipError(f"cannot read the export manifest {where}: permission denied; {hint}")
    try:
        files = _parse(path.read_bytes())
    except OSError as exc:
        raise OwnershipError(f"cannot read the export manifest {where}: {exc.strerror or exc}; {hint}") from None
    except ValueError as exc:
        raise OwnershipError(f"cannot read the export manifest {where}: {exc}; {hint}") from None
    return Manifest(folder, files)


def _parse(data: bytes) -> dict[str, frozenset[str]]:
    """The files a manifest's bytes list; ValueError saying what is wrong when they are not a manifest."""
    stored = json.loads(data)
    if not isinstance(stored, dict) or stored.get("kind") != MANIFEST_KIND or stored.get("version") != MANIFEST_VERSION:
        raise ValueError("not an immunopipe export manifest of this version")
    listed = stored.get("files")
    if not isinstance(listed, dict) or not all(isinstance(values, list) for values in listed.values()):
        raise ValueError('its "files" is not an object of lists of SHA-256 digests')
    return {_plain_name(name): frozenset(_sha256(value) for value in values) for name, values in listed.items()}


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write ``manifest`` into its folder atomically, unless it already holds these bytes (names are sorted)."""
    folder = contained_path(root, manifest.folder)
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "kind": MANIFEST_KIND,
        "version": MANIFEST_VERSION,
        "files": {name: sorted(manifest.files[name]) for name in sorted(manifest.files)},
    }
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    if file_sha256(folder / MANIFEST_NAME) != hashlib.sha256(data).hexdigest():
        replace_atomically(folder / MANIFEST_NAME, data)


@dataclass
class Plan:
    """What an export may do in one folder, decided before any file is replaced."""

    manifest: Manifest
    #: Every file the export produces (written or already up to date), by name: the SHA-256 of its bytes.
    produced: dict[str, str] = field(default_factory=dict)
    #: Owned files the export no longer produces that will be removed, with their current SHA-256.
    removed: dict[str, str] = field(default_factory=dict)
    #: Owned files the export no longer produces that stay (no ``prune``), with their accepted SHA-256s.
    kept: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Files edited since the last export that will be replaced or removed (``overwrite_edited``).
    overwritten: list[str] = field(default_factory=list)

    def transitional(self, found: Mapping[str, str | None]) -> Manifest:
        """The manifest to hold while files are replaced: old and new bytes both accepted."""
        files: dict[str, set[str]] = {name: set(values) for name, values in self.manifest.files.items()}
        for name, sha256 in self.produced.items():
            files.setdefault(name, set()).add(sha256)
            before = found.get(name)
            if before is not None and before not in UNSEEN:
                files[name].add(before)
        return Manifest(self.manifest.folder, {name: frozenset(values) for name, values in files.items()})

    def final(self) -> Manifest:
        """The manifest once every file is in place: what was produced, and owned files kept."""
        files = {name: frozenset({sha256}) for name, sha256 in self.produced.items()}
        files.update({name: values for name, values in self.kept.items() if name not in files})
        return Manifest(self.manifest.folder, files)


def plan_folder(
    root: Path,
    shown_root: Path,
    manifest: Manifest,
    found: Mapping[str, str | None],
    produced: Mapping[str, str],
    *,
    prune: bool,
    overwrite_edited: bool,
) -> tuple[Plan, list[str]]:
    """Decide what an export may do in ``manifest``'s folder; return the plan and every conflict.

    ``found`` gives, per produced name, what was on disk (:attr:`Staging.found`), and
    ``produced`` the SHA-256 each will hold. A conflict is a one-line description of a file the
    export must not touch, named under ``shown_root`` (the output folder as the user gave it).
    """
    plan = Plan(manifest, produced=dict(produced))
    conflicts = []
    shown = shown_root / manifest.folder
    for name, sha256 in produced.items():
        before = found.get(name)
        if before is None or before == sha256 or manifest.owns(name, before):
            continue
        if before == NOT_A_FILE:
            conflicts.append(f"{shown / name} is not a regular file immunopipe wrote: move it away")
        elif before == UNREADABLE:
            conflicts.append(
                f"{shown / name} cannot be read (permission denied), so immunopipe cannot tell whether it wrote it: "
                "make it readable, or move it away"
            )
        elif name not in manifest.files:
            conflicts.append(
                f"{shown / name} was not written by immunopipe: move or rename it, or choose another --out"
            )
        elif overwrite_edited:
            plan.overwritten.append(name)
        else:
            conflicts.append(f"{shown / name} was edited since the last export: {_EDITED_HINT}")
    for name in sorted(manifest.files.keys() - produced.keys()):
        current = file_sha256(contained_path(root, manifest.folder / name))
        if current is None or current in UNSEEN:
            continue  # gone, or replaced by something that is not the export's: no longer owned
        if not prune:
            plan.kept[name] = manifest.files[name]
        elif manifest.owns(name, current):
            plan.removed[name] = current
        elif overwrite_edited:
            plan.removed[name] = current
            plan.overwritten.append(name)
        else:
            conflicts.append(f"{shown / name} was edited since the last export, so --prune keeps it: {_EDITED_HINT}")
            plan.kept[name] = manifest.files[name]
    return plan, conflicts


_EDITED_HINT = "save your changes elsewhere, or pass --overwrite-edited to let the export replace it"


def remove_owned(root: Path, folder: PurePosixPath, removed: Mapping[str, str]) -> list[PurePosixPath]:
    """Remove the files of ``removed`` that still hold the bytes planned; return the paths removed."""
    gone = []
    for name, sha256 in sorted(removed.items()):
        target = contained_path(root, folder / name)
        if file_sha256(target) == sha256:
            target.unlink(missing_ok=True)
            gone.append(folder / name)
    if gone:
        sync_folder(contained_path(root, folder))
    return gone


def refuse(conflicts: Collection[str]) -> OwnershipError:
    """One error for every conflict: the first in full, then how many more."""
    first, *rest = sorted(conflicts)
    more = f" (and {len(rest)} more file{'s' if len(rest) > 1 else ''} like it)" if rest else ""
    return OwnershipError(f"refusing to export: {first}{more}; nothing was changed")


def _plain_name(name: object) -> str:
    if not isinstance(name, str) or not name or "/" in name or name.startswith(".") or "\0" in name:
        raise ValueError(f"unsafe file name {name!r}")
    return name


def _sha256(value: object) -> str:
    if not isinstance(value, str) or len(value) != 64 or not all(c in "0123456789abcdef" for c in value):
        raise ValueError(f"not a SHA-256: {value!r}")
    return value
