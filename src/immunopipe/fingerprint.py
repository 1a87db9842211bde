"""One fingerprint of the installed code, which every cache is tied to.

A cached result is only as good as the code that made it. Rather than each cache hashing a
hand-picked list of source files (and missing one, such as a helper the rules import), every
cache starts from :func:`code_fingerprint`: the SHA-256 of every file of the installed
``immunopipe`` package, code and data alike (the schema, templates, reference tables), under
its path, and of the name and version of every installed distribution immunopipe depends on.
Change any module, data file or dependency and every cache entry made before is a miss.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import metadata, resources
from importlib.resources.abc import Traversable

from immunopipe import __version__

#: Files that are not the package's own code or data: compiled bytecode, rebuilt from the sources.
_SKIPPED_FOLDERS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


@cache
def code_fingerprint() -> str:
    """The fingerprint of the installed package and its dependencies (computed once per process)."""
    return package_fingerprint(resources.files("immunopipe"), _dependency_versions())


def package_fingerprint(package: Traversable, dependencies: tuple[str, ...] = ()) -> str:
    """The SHA-256 of every file under ``package`` (with its relative path) and of ``dependencies``."""
    digest = hashlib.sha256(f"immunopipe {__version__}\0".encode())
    for line in dependencies:
        digest.update(line.encode() + b"\0")
    for relative, item in sorted(_files(package, "")):
        data = item.read_bytes()
        digest.update(f"{relative}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def _files(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found = []
    for item in folder.iterdir():
        relative = f"{prefix}{item.name}"
        if item.is_dir():
            if item.name not in _SKIPPED_FOLDERS:
                found += _files(item, f"{relative}/")
        elif not item.name.endswith(_SKIPPED_SUFFIXES):
            found.append((relative, item))
    return found


def _dependency_versions() -> tuple[str, ...]:
    """``name version`` of every installed distribution immunopipe requires (extras left out)."""
    try:
        requirements = metadata.requires("immunopipe") or []
    except metadata.PackageNotFoundError:
        return ()
    lines = []
    for requirement in requirements:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0]
        try:
            lines.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name} missing")
    return tuple(sorted(lines))
