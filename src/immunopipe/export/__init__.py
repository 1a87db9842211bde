"""Exports: validated articles in; JSON, CSV and PDF files out, written safely.

Renderers are pure (articles in, bytes out). :func:`export_articles` streams: holding a lock on
the output folder, it takes the articles one at a time and hands each to every chosen format's
writer, which stages the article's files straight away (:class:`~immunopipe.export.write.Staging`:
temporary files beside their targets) and appends its CSV rows to the staged tables. Memory stays
flat however many articles there are. Only when every file of every format is staged are they
moved into place, atomically, each format's index (``index.json``, ``datapackage.json``) after
its other files; then stale exports are removed. Files whose bytes are unchanged are left alone.
Given :class:`Source` items (a content digest and a loader) and a cache folder, the JSON and CSV
of unchanged articles come from :mod:`immunopipe.export.render_cache`: they are not even loaded.
Layout::

    OUT/json/<id>.json   OUT/json/index.json            (index written last)
    OUT/csv/<table>.csv  OUT/csv/datapackage.json       (descriptor written last)
    OUT/pdf/<id>.pdf

File names come only from article ids that fully match :data:`ID_PATTERN`, and every path is
checked to stay inside the output folder.

Stale exports: an export is a snapshot of the articles it is given. In the folder of each format
it writes, a per-article file (``json/<id>.json``, ``pdf/<id>.pdf``) whose id is not among those
articles is removed once the new files are in place. Nothing else is ever deleted: other files,
symlinks and folders are left alone, and so are the folders of formats not being written.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Protocol

from immunopipe.export import csv as csv_export
from immunopipe.export import json as json_export
from immunopipe.export.render_cache import RenderCache, Rendering
from immunopipe.export.write import (
    ExportFile,
    StagedFile,
    Staging,
    WriteError,
    contained_path,
    describe_os_error,
    locked,
    remove_files,
    remove_stray_temp_files,
)
from immunopipe.formats import DEFAULT_PAPER
from immunopipe.ids import ID_PATTERN, RESERVED_IDS
from immunopipe.model import Article

__all__ = [
    "FORMATS",
    "ExportFile",
    "ExportOptions",
    "ExportResult",
    "FormatUnavailable",
    "FormatWriter",
    "Piece",
    "Source",
    "UnsafeName",
    "WriteError",
    "export_articles",
]


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """Choices that change the bytes of an export."""

    paper: str = DEFAULT_PAPER
    large_print: bool = False
    csv_bom: bool = True
    # How PDF handouts are rendered, which never changes their bytes: in up to ``jobs``
    # processes, reusing handouts rendered before from ``cache_dir`` (None: no cache).
    jobs: int = 1
    cache_dir: Path | None = None


class UnsafeName(ValueError):
    """An article id that cannot safely name an export file."""


class FormatUnavailable(Exception):
    """A format cannot be produced by this installation (e.g. PDF without WeasyPrint's libraries)."""


@dataclass(frozen=True)
class Source:
    """An article not loaded yet: the SHA-256 of its content file as validated, and how to load it.

    Given sources and a cache folder, an export takes the JSON and CSV of unchanged articles
    from the render cache and loads only the articles it must render anew.
    """

    digest: str
    load: Callable[[], Article]


class Piece:
    """One article on its way through the writers: loaded and rendered only as far as they need."""

    #: The article's handout when it was rendered before (by a shard being merged); None: render it.
    pdf: bytes | None = None

    def __init__(self, item: Article | Source, cache: RenderCache | None) -> None:
        self._source = item if isinstance(item, Source) else None
        self._article = item if isinstance(item, Article) else None
        self._cache = cache if self._source else None
        self._cached = self._cache.get(self._source.digest) if self._cache and self._source else None
        self._json: bytes | None = None
        self._csv_rows: tuple[bytes, ...] | None = None

    @property
    def article(self) -> Article:
        """The article itself (loaded now if it was not yet)."""
        if self._article is None:
            assert self._source is not None
            self._article = self._source.load()
        return self._article

    @property
    def digest(self) -> str | None:
        """The SHA-256 of the article's content file, when it came as a :class:`Source`."""
        return self._source.digest if self._source else None

    @property
    def id(self) -> str:
        return self._cached.id if self._cached else self.article.id

    @property
    def title(self) -> str:
        return self._cached.title if self._cached else self.article.title

    @property
    def json(self) -> bytes:
        """The article's JSON document."""
        if self._json is None:
            self._json = json_export.render_article(self.article)
        return self._json

    @property
    def json_sha256(self) -> str:
        return self._cached.json_sha256 if self._cached else hashlib.sha256(self.json).hexdigest()

    @property
    def csv_rows(self) -> tuple[bytes, ...]:
        """The article's rows of every CSV table (:func:`immunopipe.export.csv.article_rows`)."""
        if self._cached:
            return self._cached.csv_rows
        if self._csv_rows is None:
            self._csv_rows = csv_export.article_rows(self.article)
        return self._csv_rows

    def remember(self) -> None:
        """Store the rendering in the cache, if there is one and it did not come from there."""
        if self._cache and self._source and not self._cached:
            rendering = Rendering(self.id, self.title, self.json_sha256, self.csv_rows)
            self._cache.put(self._source.digest, rendering)


class FormatWriter(Protocol):
    """Writes one format's files for articles given one at a time, into a :class:`Staging`."""

    def add(self, piece: Piece) -> None:
        """Stage the files of ``piece``'s article (or its part of shared files)."""

    def finish(self) -> None:
        """Stage whatever needs every article (indexes, tables); called once, after the last one."""


@dataclass(frozen=True, kw_only=True)
class Format:
    """An export format: the folder it owns, its writer, and how its per-article files end."""

    folder: str
    writer: Callable[[Staging, ExportOptions], FormatWriter]
    #: Files named ``<id><article_suffix>`` in ``folder`` are per-article; stale ones are removed.
    article_suffix: str | None = None
    #: Raises :class:`FormatUnavailable` when this installation cannot produce the format.
    check_available: Callable[[], None] | None = None


def article_path(folder: str, article_id: str, suffix: str) -> PurePosixPath:
    """``folder/<article_id><suffix>``, after re-checking that the id is a safe, unreserved slug."""
    if not ID_PATTERN.fullmatch(article_id):
        raise UnsafeName(f"article id {article_id!r} cannot name a file: use a-z, 0-9 and single hyphens")
    if article_id in RESERVED_IDS:
        raise UnsafeName(f"article id {article_id!r} is reserved: it would overwrite {folder}/{article_id}{suffix}")
    return PurePosixPath(folder, f"{article_id}{suffix}")


class _JsonWriter:
    """Stages each article's JSON file as it comes; the index, ordered by id, at the end."""

    def __init__(self, staging: Staging, options: ExportOptions) -> None:
        self._staging = staging
        self._entries: list[json_export.IndexEntry] = []

    def add(self, piece: Piece) -> None:
        path = article_path("json", piece.id, ".json")
        if not self._staging.keep(path, piece.json_sha256):
            self._staging.add(path, piece.json)
        self._entries.append(json_export.IndexEntry(piece.id, piece.title, path.name, piece.json_sha256))

    def finish(self) -> None:
        self._entries.sort(key=lambda entry: entry.id)
        self._staging.add(PurePosixPath("json", json_export.INDEX_NAME), json_export.render_index(self._entries))


class _CsvWriter:
    """Appends each article's rows to the staged tables; rows end up in id order, as :func:`render_tables` puts them.

    Articles usually come in id order (files are named after their ids). When they do not, each
    table is copied once more at the end, article by article in id order, from the offsets
    recorded on the way: only the offsets are held in memory, never the rows.
    """

    def __init__(self, staging: Staging, options: ExportOptions) -> None:
        self._staging = staging
        self._bom = options.csv_bom
        self._ids: list[str] = []
        self._tables: list[StagedFile] = []
        #: Per table, where each article's rows start in its staged file; then where the file ends.
        self._offsets: list[array[int]] = []
        for table in csv_export.TABLES:
            staged = staging.open(PurePosixPath("csv", table.file_name))
            staged.handle.write(csv_export.header(table, bom=self._bom))
            self._tables.append(staged)
            self._offsets.append(array("q"))

    def add(self, piece: Piece) -> None:
        self._ids.append(piece.id)
        for staged, offsets, rows in zip(self._tables, self._offsets, piece.csv_rows, strict=True):
            offsets.append(staged.handle.tell())
            staged.handle.write(rows)

    def finish(self) -> None:
        in_order = all(first <= second for first, second in pairwise(self._ids))
        order = sorted(range(len(self._ids)), key=self._ids.__getitem__)
        for table, staged, offsets in zip(csv_export.TABLES, self._tables, self._offsets, strict=True):
            if in_order:
                self._staging.close(staged)
                continue
            offsets.append(staged.handle.tell())
            reordered = self._staging.open(staged.path)
            reordered.handle.write(csv_export.header(table, bom=self._bom))
            for index in order:
                staged.handle.seek(offsets[index])
                reordered.handle.write(staged.handle.read(offsets[index + 1] - offsets[index]))
            self._staging.drop(staged)
            self._staging.close(reordered)
        package = json_export.dump(csv_export.datapackage())
        self._staging.add(PurePosixPath("csv", csv_export.DATAPACKAGE_NAME), package)


def _render_pdf(articles: Sequence[Article], options: ExportOptions) -> list[ExportFile]:
    # Imported here so that other formats never load it; _require_pdf checked that it imports,
    # and the renderer's own probe reports a WeasyPrint that cannot load its libraries.
    from immunopipe.export.pdf import PdfRenderError, render_pdfs

    paths = [article_path("pdf", article.id, ".pdf") for article in articles]
    try:
        pdfs = render_pdfs(
            articles,
            paper=options.paper,
            large_print=options.large_print,
            jobs=options.jobs,
            cache_dir=options.cache_dir,
        )
    except PdfRenderError as exc:  # a handout that cannot be made: reported like a missing library
        raise FormatUnavailable(str(exc)) from exc
    return [ExportFile(path, pdf) for path, pdf in zip(paths, pdfs, strict=True)]


#: Articles handed to :func:`_render_pdf` at a time: enough to keep every process busy, few
#: enough that their handouts are not all held in memory at once.
PDF_BATCH = 256


def _require_pdf() -> None:
    try:  # imported here so that other commands never load it
        import immunopipe.export.pdf  # noqa: F401
    except (ImportError, OSError) as exc:
        raise FormatUnavailable(f"PDF export is not available in this installation: {exc}") from exc


class _PdfWriter:
    """Renders handouts in batches of :data:`PDF_BATCH` articles and stages each batch."""

    def __init__(self, staging: Staging, options: ExportOptions) -> None:
        self._staging = staging
        self._options = options
        self._batch: list[Article] = []

    def add(self, piece: Piece) -> None:
        if piece.pdf is not None:
            self._staging.add(article_path("pdf", piece.id, ".pdf"), piece.pdf)
            return
        self._batch.append(piece.article)
        if len(self._batch) >= PDF_BATCH:
            self._render_batch()

    def finish(self) -> None:
        self._render_batch()

    def _render_batch(self) -> None:
        for file in _render_pdf(self._batch, self._options):
            self._staging.add(file.path, file.data)
        self._batch = []


#: Every export format by name, in the order they are written (the names and order of ``EXPORT_FORMATS``).
FORMATS: dict[str, Format] = {
    "json": Format(folder="json", writer=_JsonWriter, article_suffix=".json"),
    "csv": Format(folder="csv", writer=_CsvWriter),
    "pdf": Format(folder="pdf", writer=_PdfWriter, article_suffix=".pdf", check_available=_require_pdf),
}


@dataclass(frozen=True, kw_only=True)
class ExportResult:
    """What an export did, with paths relative to ``out_dir``."""

    out_dir: Path
    articles: int
    files: tuple[PurePosixPath, ...]
    written: tuple[PurePosixPath, ...]
    removed: tuple[PurePosixPath, ...]

    def summary(self) -> str:
        """A few lines for people: counts, then each stale file removed."""
        unchanged = len(self.files) - len(self.written)
        lines = [
            f"exported {_count(self.articles, 'article')} to {self.out_dir}: "
            f"{_count(len(self.written), 'file')} written, {unchanged} unchanged, {len(self.removed)} stale removed"
        ]
        lines += [f"removed stale export {self.out_dir / path}" for path in self.removed]
        return "\n".join(lines)


def export_articles(
    articles: Iterable[Article | Source | Piece],
    out_dir: Path,
    *,
    formats: Collection[str] = tuple(FORMATS),
    options: ExportOptions | None = None,
    on_wait: Callable[[], None] | None = None,
    record: Callable[[Staging], FormatWriter] | None = None,
    render: bool = True,
) -> ExportResult:
    """Render ``articles`` in ``formats`` and write them under ``out_dir``, replacing the last export.

    ``articles`` is read once, one article at a time (a generator keeps memory flat); the files
    come out ordered by id whatever order the articles come in. With ``options.cache_dir``, the
    JSON and CSV of :class:`Source` items come from the render cache while their content is
    unchanged (:mod:`immunopipe.export.render_cache`). Raises :class:`FormatUnavailable`
    before the folder is touched; :class:`UnsafeName` (or whatever ``articles`` raises) before any
    file is replaced; :class:`WriteError` when the folder cannot be written (files already
    replaced stay whole). No temporary file is left behind. ``on_wait`` is called if another
    export holds the folder's lock, before waiting for it.

    ``record`` makes one more writer (given every article after the formats' writers, its files
    staged under ``out_dir`` and moved into place last): a shard's descriptor. With ``render``
    False, every item is a :class:`Piece` that brings its rendered files (a merge of shards), so
    the renderers need not be installed.
    """
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
            for name in chosen:
                remove_stray_temp_files(contained_path(root, PurePosixPath(FORMATS[name].folder)))
            stagings = {name: Staging(root) for name in chosen}
            try:
                writers = [FORMATS[name].writer(stagings[name], options) for name in chosen]
                if record:
                    writers.append(record(stagings.setdefault("", Staging(root))))
                with _render_cache(options) as cache:
                    count = _stage(articles, writers, cache)
                written = [path for staging in stagings.values() for path in staging.commit()]
            finally:
                for staging in stagings.values():
                    staging.discard()
            files = [path for staging in stagings.values() for path in staging.paths]
            stale = _stale_files(root, chosen, set(files))
            remove_files(root, stale)
    except OSError as exc:
        raise WriteError(describe_os_error(exc, out_dir)) from exc
    return ExportResult(
        out_dir=out_dir, articles=count, files=tuple(files), written=tuple(written), removed=tuple(stale)
    )


def _render_cache(options: ExportOptions) -> AbstractContextManager[RenderCache | None]:
    return RenderCache(options.cache_dir) if options.cache_dir else nullcontext()


def _stage(
    items: Iterable[Article | Source | Piece], writers: Sequence[FormatWriter], cache: RenderCache | None
) -> int:
    """Feed every article to every writer, then finish them; return how many articles there were."""
    seen: set[str] = set()
    for item in items:
        piece = item if isinstance(item, Piece) else Piece(item, cache)
        if piece.id in seen:
            raise UnsafeName(f"article id {piece.id!r} is used by two articles: their export files would collide")
        seen.add(piece.id)
        for writer in writers:
            writer.add(piece)
        piece.remember()
    for writer in writers:
        writer.finish()
    return len(seen)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _chosen(formats: Collection[str]) -> list[str]:
    unknown = set(formats) - FORMATS.keys()
    if unknown:
        raise ValueError(f"unknown export formats: {', '.join(sorted(unknown))}; known: {', '.join(FORMATS)}")
    return [name for name in FORMATS if name in formats]


def _stale_files(root: Path, formats: Sequence[str], current: set[PurePosixPath]) -> list[PurePosixPath]:
    """Per-article files of ``formats`` under ``root`` that this export did not write."""
    stale = []
    for name in formats:
        folder, suffix = FORMATS[name].folder, FORMATS[name].article_suffix
        if suffix is None or not (root / folder).is_dir():
            continue
        for entry in sorted((root / folder).iterdir()):
            relative = PurePosixPath(folder, entry.name)
            is_article_file = entry.name.endswith(suffix) and ID_PATTERN.fullmatch(entry.name.removesuffix(suffix))
            if is_article_file and relative not in current and entry.is_file() and not entry.is_symlink():
                stale.append(relative)
    return stale
