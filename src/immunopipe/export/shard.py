"""Exports split across machines: ``export --shard K/N`` renders a share, ``merge`` joins the shares.

An article belongs to shard ``K`` of ``N`` when the SHA-256 of its content file, read as a
number, leaves ``K - 1`` divided by ``N``: every machine agrees without talking to the others,
and adding or removing articles never moves the others to another shard. Each shard validates
the whole library (rules such as unique ids need every article), then exports its share into its
own folder: a complete export of those articles and of their translations (a translation goes
with its source article, by the source's digest), plus ``shard.json`` (:data:`DESCRIPTOR_NAME`),
which says which shard it is, of which library, in which formats and options, and per article
and per translation its place in the library, its id (and language), title, JSON digest and (for
CSV and xlsx) its table rows as cells.

:func:`merge_shards` checks that the folders are exactly shards 1..N of one library made with
the same formats and options, then feeds their articles and then their translations, each in
library order, through the same writers as a single export, through the same ownership checks
and manifests (:mod:`immunopipe.files.manifest`): the files it writes (per-article and
per-translation files, ``index.json``, the CSV tables, the translation tables among them,
``datapackage.json``, the workbook and each folder's ``.immunopipe-manifest.json``) are byte for
byte those of one export of the whole library. Handouts and JSON files are copied,
never rendered again, so merging needs no WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from immunopipe import __version__
from immunopipe.errors import ImmunopipeError
from immunopipe.export import (
    ExportOptions,
    ExportResult,
    FormatWriter,
    Piece,
    TranslatedArticle,
    article_path,
    export_articles,
)
from immunopipe.export import csv as csv_export
from immunopipe.export import json as json_export
from immunopipe.export.csv import Row
from immunopipe.export.csv_translations import TRANSLATION_TABLES
from immunopipe.export.piece import LANGUAGE_PATTERN
from immunopipe.files.write import Staging
from immunopipe.model import Article

__all__ = ["DESCRIPTOR_NAME", "ShardError", "ShardSpec", "merge_shards"]

#: The descriptor a shard's folder holds beside json/, csv/ and pdf/.
DESCRIPTOR_NAME = "shard.json"

#: Version of the descriptor's layout: merge refuses descriptors of another layout
#: (3: translations are recorded, and counted in the library).
DESCRIPTOR_LAYOUT = 3

_SPEC = re.compile(r"([0-9]+)/([0-9]+)")


class ShardError(ImmunopipeError):
    """Shard folders that cannot be merged: missing, duplicated, mismatched or changed shards (exit 2)."""


@dataclass(frozen=True)
class ShardSpec:
    """Shard ``number`` of ``count`` (both counted from 1)."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> ShardSpec:
        """``"K/N"`` with 1 <= K <= N; raises :class:`ValueError` with a message for people."""
        match = _SPEC.fullmatch(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not K/N (for example 2/4: the second of four shards)")
        number, count = int(match[1]), int(match[2])
        if not 1 <= number <= count:
            raise ValueError(f"{text!r}: K must be between 1 and N")
        return cls(number, count)

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"

    def holds(self, digest: str) -> bool:
        """Whether the article whose content file has SHA-256 ``digest`` belongs to this shard."""
        return int(digest, 16) % self.count == self.number - 1


def library_digest(digests: Sequence[str], translations: Sequence[TranslatedArticle] = ()) -> str:
    """One SHA-256 for a library: its content files' digests and its translations, in the order they are exported."""
    lines = [*digests, *(f"{item.source.digest} {_translation_sha256(item)}" for item in translations)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _translation_sha256(item: TranslatedArticle) -> str:
    """A digest of everything a translation exports (its article, language, status, texts and fingerprints)."""
    data = json.dumps(dataclasses.asdict(item.translation), sort_keys=True, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class ShardPlan:
    """What a shard records besides its files: which shard, of which library (translations too), made how."""

    spec: ShardSpec
    digests: Sequence[str]
    formats: Sequence[str]
    options: ExportOptions
    translations: Sequence[TranslatedArticle] = ()

    def selected(self) -> list[int]:
        """Places in the library of the articles this shard exports."""
        return [place for place, digest in enumerate(self.digests) if self.spec.holds(digest)]

    def selected_translations(self) -> list[TranslatedArticle]:
        """The translations this shard exports: those of its articles."""
        return [item for item in self.translations if self.spec.holds(item.source.digest)]

    def check_out(self, out_dir: Path) -> None:
        """Refuse (:class:`ShardError`) an ``out_dir`` whose :data:`DESCRIPTOR_NAME` is not a shard's own.

        The descriptor lies beside the format folders, outside their manifests: it replaces only
        a file that is a shard descriptor, never a file of the user's of the same name.
        """
        path = out_dir / DESCRIPTOR_NAME
        if not path.exists() and not path.is_symlink():
            return
        try:
            if path.is_symlink() or not path.is_file():
                raise ValueError("not a regular file")
            descriptor = json.loads(path.read_bytes())
            if not (isinstance(descriptor, dict) and "layout" in descriptor and "shard" in descriptor):
                raise ValueError("not a shard descriptor")
        except (OSError, ValueError):
            raise ShardError(
                f"refusing to export: {path} was not written by immunopipe export --shard: "
                f"move or rename it, or choose another --out; nothing was changed"
            ) from None

    def recorder(self, staging: Staging) -> FormatWriter:
        """The writer that stages :data:`DESCRIPTOR_NAME` (pass to ``export_articles(record=...)``)."""
        return _Recorder(self, staging)


#: Formats whose files are made from the articles' table rows (cells).
_TABLE_FORMATS = ("csv", "xlsx")


class _Recorder:
    """Notes each article's (and translation's) place, id, title, JSON digest and table rows; stages the descriptor."""

    def __init__(self, plan: ShardPlan, staging: Staging) -> None:
        self._plan = plan
        self._staging = staging
        self._places = {digest: place for place, digest in enumerate(plan.digests)}
        self._translation_places = {
            (item.source.digest, item.translation.language): place for place, item in enumerate(plan.translations)
        }
        self._articles: list[dict[str, Any]] = []
        self._translations: list[dict[str, Any]] = []

    def add(self, piece: Piece) -> None:
        if piece.language is None:
            place = self._places.get(piece.digest or "")
            if place is None:
                raise ShardError(f"article {piece.id!r} is not one of the library's articles")
            entry: dict[str, Any] = {"place": place, "id": piece.id}
            rows = piece.csv_rows
            self._articles.append(entry)
        else:
            place = self._translation_places.get((piece.digest or "", piece.language))
            if place is None:
                raise ShardError(f"translation {piece.id!r} ({piece.language}) is not one of the library's")
            entry = {"place": place, "id": piece.id, "language": piece.language}
            rows = piece.translation_rows
            self._translations.append(entry)
        if "json" in self._plan.formats:
            entry |= {"title": piece.title, "json_sha256": piece.json_sha256}
        if any(name in self._plan.formats for name in _TABLE_FORMATS):
            entry["rows"] = [[list(row) for row in table_rows] for table_rows in rows]

    def finish(self) -> None:
        plan = self._plan
        descriptor = {
            "layout": DESCRIPTOR_LAYOUT,
            "immunopipe": __version__,
            "shard": plan.spec.number,
            "of": plan.spec.count,
            "library": {
                "sha256": library_digest(plan.digests, plan.translations),
                "articles": len(plan.digests),
                "translations": len(plan.translations),
            },
            "formats": list(plan.formats),
            "options": _byte_options(plan.options),
            "articles": self._articles,
            "translations": self._translations,
        }
        self._staging.add(PurePosixPath(DESCRIPTOR_NAME), json_export.dump(descriptor))


def _byte_options(options: ExportOptions) -> dict[str, Any]:
    """The options that change an export's bytes (not how fast it is made); the clinic profile by digest."""
    profile = hashlib.sha256(options.profile.fingerprint()).hexdigest() if options.profile else None
    return {
        "paper": options.paper,
        "large_print": options.large_print,
        "csv_bom": options.csv_bom,
        "profile_sha256": profile,
    }


@dataclass(frozen=True)
class _Shard:
    folder: Path
    descriptor: dict[str, Any]

    @property
    def number(self) -> int:
        return int(self.descriptor["shard"])


def read_shard(folder: Path) -> _Shard:
    """The shard in ``folder``, or :class:`ShardError` saying why it is not one."""
    path = folder / DESCRIPTOR_NAME
    try:
        descriptor = json.loads(path.read_bytes())
    except FileNotFoundError:
        if not folder.is_dir():
            raise ShardError(f"{folder}: no such folder") from None
        raise ShardError(f"{folder} is not a shard: it has no {DESCRIPTOR_NAME} (made by export --shard K/N)") from None
    except (OSError, ValueError) as exc:
        raise ShardError(f"cannot read {path}: {exc}") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("layout"), int):
        raise ShardError(f"{path} is not a shard descriptor this version of immunopipe can read")
    if descriptor["layout"] != DESCRIPTOR_LAYOUT:
        made_by = descriptor.get("immunopipe")
        raise ShardError(
            f"{path} has shard layout {descriptor['layout']} (made by immunopipe {made_by}), but immunopipe "
            f"{__version__} merges layout {DESCRIPTOR_LAYOUT} only: export every shard again with this version"
        )
    missing = _REQUIRED_KEYS - descriptor.keys()
    options = descriptor.get("options")
    if not missing and not (isinstance(options, dict) and options.keys() >= _OPTION_KEYS):
        missing = frozenset({"options"})
    library = descriptor.get("library")
    if not missing and not (isinstance(library, dict) and library.keys() >= _LIBRARY_KEYS):
        missing = frozenset({"library"})
    if missing or not isinstance(descriptor["shard"], int):
        raise ShardError(f"{path} is damaged: {', '.join(sorted(missing)) or 'shard'} missing or malformed")
    for key in ("articles", "translations"):
        if not isinstance(descriptor[key], list) or not all(
            isinstance(entry, dict) and _ENTRY_KEYS[key] <= entry.keys() for entry in descriptor[key]
        ):
            raise ShardError(f"{path} is damaged: {key} missing or malformed")
    return _Shard(folder, descriptor)


_REQUIRED_KEYS = frozenset(("immunopipe", "shard", "of", "library", "formats", "options", "articles", "translations"))
_LIBRARY_KEYS = frozenset(("sha256", "articles", "translations"))
_ENTRY_KEYS = {"articles": frozenset(("place", "id")), "translations": frozenset(("place", "id", "language"))}
_OPTION_KEYS = frozenset(("paper", "large_print", "csv_bom"))


def check_complete(shards: Sequence[_Shard]) -> None:
    """Raise :class:`ShardError` unless ``shards`` are shards 1..N, once each, of one library, made alike."""
    first = shards[0]
    for key, what in (
        ("of", "number of shards"),
        ("library", "library (content files)"),
        ("formats", "formats"),
        ("options", "options (--paper, --large-print, --csv-bom, --profile)"),
        ("immunopipe", "immunopipe version"),
    ):
        for shard in shards[1:]:
            if shard.descriptor[key] != first.descriptor[key]:
                raise ShardError(
                    f"{shard.folder} and {first.folder} are not shards of the same export: their {what} differ "
                    f"({_show(shard.descriptor[key])} against {_show(first.descriptor[key])})"
                )
    count = int(first.descriptor["of"])
    by_number: dict[int, Path] = {}
    for shard in shards:
        if shard.number in by_number:
            raise ShardError(
                f"shard {shard.number}/{count} is given twice: {by_number[shard.number]} and {shard.folder}"
            )
        by_number[shard.number] = shard.folder
    missing = [str(number) for number in range(1, count + 1) if number not in by_number]
    if missing:
        raise ShardError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} missing")
    for key in ("articles", "translations"):
        held = sum(len(shard.descriptor[key]) for shard in shards)
        expected = first.descriptor["library"][key]
        if held != expected:
            raise ShardError(f"the shards hold {held} {key}, but the library has {expected}")


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else repr(value)


class _ShardPiece(Piece):
    """An article or translation of a shard being merged: its files are read back from the shard's folder."""

    def __init__(self, shard: _Shard, entry: dict[str, Any], formats: Sequence[str]) -> None:
        self._shard = shard
        self._entry = entry
        self._language = self._checked_language()
        tables = TRANSLATION_TABLES if self._language else csv_export.TABLES
        self._rows = self._checked_rows(len(tables)) if any(name in formats for name in _TABLE_FORMATS) else None
        self._json = self._checked_json() if "json" in formats else None

    @property
    def article(self) -> Article:
        raise ShardError(f"{self._shard.folder} lacks a rendered file of article {self.id!r}")

    @property
    def id(self) -> str:
        return str(self._entry["id"])

    @property
    def language(self) -> str | None:
        return self._language

    @property
    def title(self) -> str:
        return str(self._entry["title"])

    @property
    def json(self) -> bytes:
        assert self._json is not None
        return self._json

    @property
    def json_sha256(self) -> str:
        return str(self._entry["json_sha256"])

    @property
    def csv_rows(self) -> tuple[tuple[Row, ...], ...]:
        assert self._rows is not None and self._language is None
        return self._rows

    @property
    def translation_rows(self) -> tuple[tuple[Row, ...], ...]:
        assert self._rows is not None and self._language is not None
        return self._rows

    @property
    def pdf(self) -> bytes | None:  # type: ignore[override]
        return self._read(article_path("pdf", self.id, f"{self.suffix}.pdf"))

    def remember(self) -> None:
        """Nothing to cache: the files were rendered by the shard."""

    def _checked_language(self) -> str | None:
        language = self._entry.get("language")
        if language is None:
            return None
        if not (isinstance(language, str) and LANGUAGE_PATTERN.fullmatch(language)):
            raise ShardError(f"{self._shard.folder / DESCRIPTOR_NAME} is damaged: the language of {self.id!r}")
        return language

    def _checked_rows(self, count: int) -> tuple[tuple[Row, ...], ...]:
        tables = self._entry.get("rows")
        valid = (
            isinstance(tables, list)
            and len(tables) == count
            and all(
                isinstance(rows, list)
                and all(
                    isinstance(row, list) and all(cell is None or type(cell) in (str, int) for cell in row)
                    for row in rows
                )
                for rows in tables
            )
        )
        if not valid:
            raise ShardError(f"{self._shard.folder / DESCRIPTOR_NAME} is damaged: the rows of {self.id!r}")
        assert isinstance(tables, list)
        return tuple(tuple(tuple(row) for row in rows) for rows in tables)

    def _checked_json(self) -> bytes:
        path = article_path("json", self.id, f"{self.suffix}.json")
        data = self._read(path)
        if hashlib.sha256(data).hexdigest() != self.json_sha256:
            raise ShardError(f"{self._shard.folder / path} changed since its shard was made")
        return data

    def _read(self, path: PurePosixPath) -> bytes:
        try:
            return (self._shard.folder / path).read_bytes()
        except OSError as exc:
            raise ShardError(f"cannot read {self._shard.folder / path}: {exc.strerror or exc}") from None


def merge_shards(
    folders: Sequence[Path],
    out_dir: Path,
    *,
    on_wait: Callable[[], None] | None = None,
    prune: bool = False,
    overwrite_edited: bool = False,
) -> ExportResult:
    """Join the shard folders into ``out_dir``: the export one machine would have written.

    Raises :class:`ShardError` (before ``out_dir`` is changed) when the folders are not exactly
    shards 1..N of one library made with the same formats and options, or a shard's files
    changed after it was made; otherwise as :func:`~immunopipe.export.export_articles`, whose
    ownership checks, manifests, ``prune`` and ``overwrite_edited`` apply as to any export.
    """
    if not folders:
        raise ShardError("no shard folders given")
    shards = [read_shard(folder) for folder in folders]
    check_complete(shards)
    root = out_dir.resolve()
    for shard in shards:
        if shard.folder.resolve() == root:
            raise ShardError(f"cannot merge into {out_dir}: it is one of the shards; choose another --out")
    first = shards[0].descriptor
    formats = list(first["formats"])
    recorded = first["options"]
    # The profile only shapes handouts, which are copied: it need not be known again.
    options = ExportOptions(
        paper=recorded["paper"],
        large_print=recorded["large_print"],
        csv_bom=recorded["csv_bom"],
        prune=prune,
        overwrite_edited=overwrite_edited,
    )
    pieces = _pieces(shards, formats)
    return export_articles(pieces, out_dir, formats=formats, options=options, on_wait=on_wait, render=False)


def _pieces(shards: Sequence[_Shard], formats: Sequence[str]) -> Iterator[Piece]:
    """Every shard's articles, then its translations, as pieces, each in library order (as export feeds them)."""
    for key in ("articles", "translations"):
        entries = sorted(
            ((entry, shard) for shard in shards for entry in shard.descriptor[key]),
            key=lambda pair: pair[0]["place"],
        )
        for entry, shard in entries:
            yield _ShardPiece(shard, entry, formats)
