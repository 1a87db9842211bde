"""The PDF format's writer: handouts rendered in batches (by :mod:`.pdf`), each staged as soon as it is ready."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from contextlib import closing
from typing import TYPE_CHECKING

from immunopipe.export.piece import Piece
from immunopipe.export.writer import ExportOptions, FormatUnavailable, article_path
from immunopipe.files.write import ExportFile, Staging

if TYPE_CHECKING:
    from immunopipe.export.handout_language import HandoutLanguage

FOLDER = "pdf"

#: Articles handed to the renderer at a time: enough to keep every process busy, few enough
#: that their handouts are not all held in memory at once.
PDF_BATCH = 256


def require_pdf() -> None:
    """Raise :class:`FormatUnavailable` unless WeasyPrint and its libraries load."""
    try:  # imported here so that other commands never load WeasyPrint
        import immunopipe.export.pdf  # noqa: F401
    except (ImportError, OSError) as exc:
        raise FormatUnavailable(f"PDF export is not available in this installation: {exc}") from exc


def render_batch(pieces: Sequence[Piece], options: ExportOptions) -> Generator[ExportFile, None, None]:
    """The handouts of ``pieces`` as export files, each as soon as it is ready.

    Raises :class:`FormatUnavailable` if one cannot be made.
    """
    # Imported here so that other formats never load it; require_pdf checked that it imports,
    # and the renderer's own probe reports a WeasyPrint that cannot load its libraries.
    from immunopipe.export.pdf import PdfRenderError, iter_pdfs

    paths = [article_path(FOLDER, piece.id, f"{piece.suffix}.pdf") for piece in pieces]
    try:
        languages = _handout_languages(pieces)
        pdfs = iter_pdfs(
            [piece.article for piece in pieces],
            languages=languages,
            paper=options.paper,
            large_print=options.large_print,
            jobs=options.jobs,
            cache_dir=options.cache_dir,
            profile=options.profile,
        )
        with closing(pdfs):
            for path, pdf in zip(paths, pdfs, strict=True):
                yield ExportFile(path, pdf)
    except PdfRenderError as exc:  # a handout that cannot be made: reported like a missing library
        raise FormatUnavailable(str(exc)) from exc


def _handout_languages(pieces: Sequence[Piece]) -> list[HandoutLanguage | None] | None:
    """Each piece's handout language (``None`` for a source article), or ``None`` when none is a translation."""
    if not any(piece.translation for piece in pieces):
        return None
    from immunopipe.export.handout_language import handout_language

    return [handout_language(piece.translation) if piece.translation else None for piece in pieces]


class PdfWriter:
    """Renders handouts in batches of :data:`PDF_BATCH` articles and stages each batch."""

    def __init__(self, staging: Staging, options: ExportOptions) -> None:
        self._staging = staging
        self._options = options
        self._batch: list[Piece] = []

    def add(self, piece: Piece) -> None:
        if piece.pdf is not None:
            self._staging.add(article_path(FOLDER, piece.id, f"{piece.suffix}.pdf"), piece.pdf)
            return
        self._batch.append(piece)
        if len(self._batch) >= PDF_BATCH:
            self._render_batch()

    def finish(self) -> None:
        self._render_batch()

    def _render_batch(self) -> None:
        """Render the batch and stage each handout as it comes, while the pool renders the next ones."""
        with closing(render_batch(self._batch, self._options)) as files:
            for file in files:
                self._staging.add(file.path, file.data)
        self._batch = []
