"""Exports: validated articles in; JSON, CSV and PDF files out, written safely, touching only the export's own files.

This module orchestrates; the formats live beside their renderers (``json_writer``/``json``,
``csv_writer``/``csv``, ``pdf_writer``/``pdf``) and are registered in :data:`FORMATS`.
:func:`export_articles` streams: holding a lock on the output folder, it takes the articles one at
a time (:class:`~immunopipe.export.piece.Piece`) and hands each to every chosen format's writer,
which stages the article's files straight away (:class:`~immunopipe.files.write.Staging`:
temporary files beside their targets). Memory stays flat however many articles there are.

When everything is staged, :mod:`immunopipe.files.manifest` decides, folder by folder, what the
export may do: it replaces or removes only files its manifest lists that still hold the bytes it
recorded. A file it did not write, or one edited since, stops the export (:class:`OwnershipError`)
before anything is replaced. Then the files are moved into place, atomically, each format's index
(``index.json``, ``datapackage.json``) after its other files; with ``prune``, the export's own
files of articles no longer exported are removed; the manifests are updated last. Files whose
bytes are unchanged are left alone. Layout::

    OUT/json/<id>.json   OUT/json/index.json            (index written last)
    OUT/csv/<table>.csv  OUT/csv/datapackage.json       (descriptor written last)
    OUT/pdf/<id>.pdf
    OUT/xlsx/articles.xlsx                              (one sheet per CSV table)
    OUT/<folder>/.immunopipe-manifest.json               (what the export owns there)

File names come only from article ids that fully match :data:`immunopipe.ids.ID_PATTERN`, and every path is
checked to stay inside the output folder.

Adding a format: write its renderer (model to bytes) and a writer class beside it
(``__init__(staging, options)``, ``add(piece)``, ``finish()``; see
:class:`~immunopipe.export.writer.FormatWriter`), then add one :class:`Format` entry to
:data:`FORMATS` with the folder it owns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from json import dumps
from pathlib import Path, PurePosixPath
from typing import Any

from immunopipe.export.csv_writer import CsvWriter
from immunopipe.export.json_writer import JsonWriter
from immunopipe.export.pdf_writer import PdfWriter, require_pdf
from immunopipe.export.piece import PendingArticle, Piece, TranslatedArticle, prerender
from immunopipe.export.render_cache import RenderCache
from immunopipe.export.writer import (
    ExportOptions,
    Format,
    FormatUnavailable,
    FormatWriter,
    UnsafeName,
    article_path,
)
from immunopipe.export.xlsx import XlsxWriter
from immunopipe.files.manifest import (
    Manifest,
    OwnershipError,
    Plan,
    plan_folder,
    read_manifest,
    refuse,
    remove_owned,
    write_manifest,
)
from immunopipe.files.write import (
    ExportFile,
    Staging,
    WriteError,
    contained_path,
    describe_os_error,
    locked,
    remove_stray_temp_files,
)
from immunopipe.model import Article

__all__ = [
    "FORMATS",
    "ExportFile",
    "ExportOptions",
    "ExportResult",
    "Format",
    "FormatUnavailable",
    "FormatWriter",
    "OwnershipError",
    "PendingArticle",
    "Piece",
    "TranslatedArticle",
    "UnsafeName",
    "WriteError",
    "article_path",
    "export_articles",
    "prerender",
]

#: Every export format by name, in the order they are written (the names and order of ``EXPORT_FORMATS``).
FORMATS: dict[str, Format] = {
    "json": Format(folder="json", writer=JsonWriter),
    "csv": Format(folder="csv", writer=CsvWriter),
    "pdf": Format(folder="pdf", writer=PdfWriter, check_available=require_pdf),
    "xlsx": Format(folder="xlsx", writer=XlsxWriter),
}


#: Stale exports kept that the text summary names (the JSON summary names them all).
KEPT_SHOWN = 5


@dataclass(frozen=True, kw_only=True)
class ExportResult:
    """What an export did, with paths relative to ``out_dir``."""

    out_dir: Path
    articles: int
    files: tuple[PurePosixPath, ...]
    written: tuple[PurePosixPath, ...]
    #: The export's own files of articles no longer exported, removed (``prune``)...
    removed: tuple[PurePosixPath, ...]
    #: ... or left in place (no ``prune``).
    kept: tuple[PurePosixPath, ...] = ()
    #: Files edited by hand that were replaced or removed (``overwrite_edited``).
    overwritten: tuple[PurePosixPath, ...] = ()

    def summary(self) -> str:
        """A few lines for people: counts, then each file removed, overwritten or left stale."""
        unchanged = len(self.files) - len(self.written)
        lines = [
            f"exported {_count(self.articles, 'article')} to {self.out_dir}: "
            f"{_count(len(self.written), 'file')} written, {unchanged} unchanged, {len(self.removed)} stale removed"
        ]
        lines += self.removals()
        lines += [f"replaced a file edited by hand: {self.out_dir / path}" for path in self.overwritten]
        if self.kept:
            shown = ", ".join(str(self.out_dir / path) for path in self.kept[:KEPT_SHOWN])
            more = f" and {len(self.kept) - KEPT_SHOWN} more" if len(self.kept) > KEPT_SHOWN else ""
            lines.append(
                f"kept {_count(len(self.kept), 'stale export')} of articles no longer exported "
                f"(export with --prune to remove): {shown}{more}"
            )
        return "\n".join(lines)

    def removals(self) -> list[str]:
        """One line per file removed: printed even under ``--quiet``."""
        return [f"removed stale export {self.out_dir / path}" for path in self.removed]

    def as_json(self) -> dict[str, Any]:
        """The summary for tools: every path written, removed, overwritten or kept."""
        return {
            "out": str(self.out_dir),
            "articles": self.articles,
            "files": len(self.files),
            "written": [str(path) for path in self.written],
            "unchanged": len(self.files) - len(self.written),
            "removed": [str(path) for path in self.removed],
            "overwritten_edited": [str(path) for path in self.overwritten],
            "stale_kept": [str(path) for path in self.kept],
        }

    def json_summary(self) -> str:
        """:meth:`as_json` on one line of ASCII (other characters escaped), whatever the paths hold."""
        return dumps({"export": self.as_json()})


def export_articles(
    articles: Iterable[Article | PendingArticle | TranslatedArticle | Piece],
    out_dir: Path,
    *,
    formats: Collection[str] = tuple(FORMATS),
    options: ExportOptions | None = None,
    on_wait: Callable[[], None] | None = None,
    record: Callable[[Staging], FormatWriter] | None = None,
    render: bool = True,
) -> ExportResult:
    """Render ``articles`` in ``formats`` and write them under ``out_dir``, replacing the export's own files.

    ``articles`` is read once, one article at a time (a generator keeps memory flat); the files
    come out ordered by id whatever order the articles come in. With ``options.cache_dir``, the
    JSON and CSV of :class:`PendingArticle` items come from the render cache while their content
    is unchanged (:mod:`immunopipe.export.render_cache`). Raises :class:`FormatUnavailable`
    before the folder is touched; :class:`UnsafeName` (or whatever ``articles`` raises) and
    :class:`OwnershipError` before any file is replaced; :class:`WriteError` when the folder
    cannot be written (files already replaced stay whole, and stay the export's own). No
    temporary file is left behind. ``on_wait`` is called if another export holds the folder's
    lock, before waiting for it. The root of the file system is refused (:class:`WriteError`) before
    anything else: its ``json/`` or ``pdf/`` would be system folders, not an export's.

    ``record`` makes one more writer (given every article after the formats' writers, its files
    staged under ``out_dir`` itself and moved into place with the others): a shard's descriptor.
    With ``render`` False, every item is a :class:`Piece` that brings its rendered files (a merge
    of shards), so the renderers need not be installed.
    """
    if out_dir.resolve() == Path(out_dir.resolve().anchor):
        raise WriteError(
            f"refusing to export into {out_dir}: it is the root of the file system; choose a folder with --out"
        )
    chosen = _chosen(formats)
    options = options or ExportOptions()
    for name in chosen if render else ():
        check_available = FORMATS[name].check_available
        if check_available:
            check_available()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        root = out_dir.resolve()
        with locked(root, on_wait):
            folders = {name: PurePosixPath(FORMATS[name].folder) for name in chosen}
            for folder in folders.values():
                remove_stray_temp_files(contained_path(root, folder))
            manifests = {name: read_manifest(root, folder, out_dir) for name, folder in folders.items()}
            stagings = {name: Staging(root) for name in chosen}
            try:
                writers = [FORMATS[name].writer(stagings[name], options) for name in chosen]
                if record:
                    writers.append(record(stagings.setdefault("", Staging(root))))
                with _render_cache(options) as cache:
                    count = _stage(articles, writers, cache)
                plans = {name: _plan(root, out_dir, manifests[name], stagings[name], options) for name in chosen}
                for staging in stagings.values():  # every file on disk before the first is replaced
                    staging.sync()
                for name in chosen:
                    write_manifest(root, plans[name].transitional(_found(stagings[name])))
                written = [path for staging in stagings.values() for path in staging.commit()]
            finally:
                for staging in stagings.values():
                    staging.discard()
            removed = [path for name in chosen for path in remove_owned(root, folders[name], plans[name].removed)]
            for name in chosen:
                write_manifest(root, plans[name].final())
    except OSError as exc:
        raise WriteError(describe_os_error(exc, out_dir)) from exc
    files = [path for staging in stagings.values() for path in staging.paths]
    return ExportResult(
        out_dir=out_dir,
        articles=count,
        files=tuple(files),
        written=tuple(written),
        removed=tuple(removed),
        kept=tuple(folders[name] / file for name in chosen for file in sorted(plans[name].kept)),
        overwritten=tuple(folders[name] / file for name in chosen for file in plans[name].overwritten),
    )


def _plan(root: Path, out_dir: Path, manifest: Manifest, staging: Staging, options: ExportOptions) -> Plan:
    """What the export may do in one format's folder; :class:`OwnershipError` if it may not."""
    produced = {path.name: staging.sha256[path] for path in staging.paths}
    plan, conflicts = plan_folder(
        root,
        out_dir,
        manifest,
        _found(staging),
        produced,
        prune=options.prune,
        overwrite_edited=options.overwrite_edited,
    )
    if conflicts:
        raise refuse(conflicts)
    return plan


def _found(staging: Staging) -> dict[str, str | None]:
    return {path.name: found for path, found in staging.found.items()}


def _render_cache(options: ExportOptions) -> AbstractContextManager[RenderCache | None]:
    return RenderCache(options.cache_dir) if options.cache_dir else nullcontext()


def _stage(
    items: Iterable[Article | PendingArticle | TranslatedArticle | Piece],
    writers: Sequence[FormatWriter],
    cache: RenderCache | None,
) -> int:
    """Feed every article (and translation) to every writer, then finish them; return how many articles there were."""
    seen: set[tuple[str, str]] = set()
    for item in items:
        piece = item if isinstance(item, Piece) else Piece(item, cache)
        if (piece.id, piece.suffix) in seen:
            raise UnsafeName(f"article id {piece.id!r} is used by two articles: their export files would collide")
        seen.add((piece.id, piece.suffix))
        for writer in writers:
            writer.add(piece)
        piece.remember()
    for writer in writers:
        writer.finish()
    return sum(1 for _id, suffix in seen if not suffix)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _chosen(formats: Collection[str]) -> list[str]:
    unknown = set(formats) - FORMATS.keys()
    if unknown:
        raise ValueError(f"unknown export formats: {', '.join(sorted(unknown))}; known: {', '.join(FORMATS)}")
    return [name for name in FORMATS if name in formats]
