"""Exports: validated articles in; JSON, CSV and PDF files out, written safely.

Exporters are pure: a format's renderer turns articles into :class:`ExportFile` values (a path
relative to the output folder, and bytes) without touching the disk. :func:`export_articles`
renders the chosen formats first, then, holding a lock on the output folder, writes every file
atomically (:mod:`immunopipe.export.write`) and removes stale exports. Layout::

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

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from immunopipe.export import csv as csv_export
from immunopipe.export import json as json_export
from immunopipe.export.write import (
    ExportFile,
    WriteError,
    contained_path,
    describe_os_error,
    locked,
    remove_files,
    remove_stray_temp_files,
    write_files,
)
from immunopipe.model import Article
from immunopipe.validate.rules.article_id_reserved import RESERVED

__all__ = [
    "FORMATS",
    "PAPER_SIZES",
    "ExportFile",
    "ExportOptions",
    "ExportResult",
    "FormatUnavailable",
    "UnsafeName",
    "WriteError",
    "export_articles",
    "render",
]

#: Article ids that may name files: lowercase letters and digits in groups joined by single hyphens.
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

#: Ids that would collide with a file the export writes itself (``json/index.json``).
RESERVED_IDS = frozenset(RESERVED)

#: The ``--paper`` choices of the PDF handouts.
PAPER_SIZES = ("a4", "letter")


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """Choices that change the bytes of an export."""

    paper: str = "a4"
    large_print: bool = False
    csv_bom: bool = True


class UnsafeName(ValueError):
    """An article id that cannot safely name an export file."""


class FormatUnavailable(Exception):
    """A format cannot be produced by this installation (e.g. PDF without WeasyPrint's libraries)."""


Renderer = Callable[[Sequence[Article], ExportOptions], list[ExportFile]]


@dataclass(frozen=True, kw_only=True)
class Format:
    """An export format: the folder it owns, its renderer, and how its per-article files end."""

    folder: str
    render: Renderer
    #: Files named ``<id><article_suffix>`` in ``folder`` are per-article; stale ones are removed.
    article_suffix: str | None = None


def article_path(folder: str, article_id: str, suffix: str) -> PurePosixPath:
    """``folder/<article_id><suffix>``, after re-checking that the id is a safe, unreserved slug."""
    if not ID_PATTERN.fullmatch(article_id):
        raise UnsafeName(f"article id {article_id!r} cannot name a file: use a-z, 0-9 and single hyphens")
    if article_id in RESERVED_IDS:
        raise UnsafeName(f"article id {article_id!r} is reserved: it would overwrite {folder}/{article_id}{suffix}")
    return PurePosixPath(folder, f"{article_id}{suffix}")


def _render_json(articles: Sequence[Article], options: ExportOptions) -> list[ExportFile]:
    files = [ExportFile(article_path("json", a.id, ".json"), json_export.render_article(a)) for a in articles]
    entries = [json_export.IndexEntry(a, f.path.name, f.data) for a, f in zip(articles, files, strict=True)]
    return [*files, ExportFile(PurePosixPath("json", json_export.INDEX_NAME), json_export.render_index(entries))]


def _render_csv(articles: Sequence[Article], options: ExportOptions) -> list[ExportFile]:
    tables = csv_export.render_tables(articles, bom=options.csv_bom)
    return [ExportFile(PurePosixPath("csv", name), data) for name, data in tables]


def _render_pdf(articles: Sequence[Article], options: ExportOptions) -> list[ExportFile]:
    try:  # imported here so that other commands never load WeasyPrint
        from immunopipe.export.pdf import render_pdf
    except (ImportError, OSError) as exc:
        raise FormatUnavailable(f"PDF export is not available in this installation: {exc}") from exc
    return [
        ExportFile(
            article_path("pdf", article.id, ".pdf"),
            render_pdf(article, paper=options.paper, large_print=options.large_print),
        )
        for article in articles
    ]


#: Every export format by name, in the order they are written.
FORMATS: dict[str, Format] = {
    "json": Format(folder="json", render=_render_json, article_suffix=".json"),
    "csv": Format(folder="csv", render=_render_csv),
    "pdf": Format(folder="pdf", render=_render_pdf, article_suffix=".pdf"),
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


def render(articles: Sequence[Article], formats: Collection[str], options: ExportOptions) -> list[ExportFile]:
    """Every file of ``formats`` for ``articles`` (ordered by id), in writing order; no disk access."""
    ordered = sorted(articles, key=lambda article: article.id)
    return [file for name in _chosen(formats) for file in FORMATS[name].render(ordered, options)]


def export_articles(
    articles: Sequence[Article],
    out_dir: Path,
    *,
    formats: Collection[str] = tuple(FORMATS),
    options: ExportOptions | None = None,
) -> ExportResult:
    """Render ``articles`` in ``formats`` and write them under ``out_dir``, replacing the last export.

    Raises :class:`FormatUnavailable` or :class:`UnsafeName` before anything is written, and
    :class:`WriteError` when the folder cannot be written (files already replaced stay whole).
    """
    chosen = _chosen(formats)
    files = render(articles, chosen, options or ExportOptions())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        root = out_dir.resolve()
        with locked(root):
            for name in chosen:
                remove_stray_temp_files(contained_path(root, PurePosixPath(FORMATS[name].folder)))
            written = write_files(root, files)
            stale = _stale_files(root, chosen, {file.path for file in files})
            remove_files(root, stale)
    except OSError as exc:
        raise WriteError(describe_os_error(exc, out_dir)) from exc
    return ExportResult(
        out_dir=out_dir,
        articles=len(articles),
        files=tuple(file.path for file in files),
        written=tuple(written),
        removed=tuple(stale),
    )


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
