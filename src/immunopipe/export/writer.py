"""What every export format shares: its options, the writer interface, and safe per-article file names.

A format is registered in :data:`immunopipe.export.FORMATS` as a :class:`Format`: the folder it
owns under the output folder and a factory for its :class:`FormatWriter`. The orchestrator
(:func:`immunopipe.export.export_articles`) hands the writer one article at a time
(:class:`~immunopipe.export.piece.Piece`), then calls :meth:`FormatWriter.finish` once; the
writer stages its files into the :class:`~immunopipe.files.write.Staging` it was given and never
replaces or removes a file itself (ownership, commit and pruning are the orchestrator's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from immunopipe.errors import ImmunopipeError
from immunopipe.formats import DEFAULT_PAPER
from immunopipe.ids import ID_PATTERN, RESERVED_IDS
from immunopipe.profile import Profile

if TYPE_CHECKING:
    from immunopipe.export.piece import Piece
    from immunopipe.files.write import Staging


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """Choices that change the bytes of an export, or which files it may replace and remove."""

    paper: str = DEFAULT_PAPER
    large_print: bool = False
    csv_bom: bool = True
    #: The clinic printed in PDF handouts (header and contact box only), or ``None``.
    profile: Profile | None = None
    # How PDF handouts are rendered, which never changes their bytes: in up to ``jobs``
    # processes, reusing handouts rendered before from ``cache_dir`` (None: no cache).
    jobs: int = 1
    cache_dir: Path | None = None
    #: Remove the export's own files that this export no longer produces (articles that are gone).
    prune: bool = False
    #: Replace (and with ``prune`` remove) export files edited by hand since the last export.
    overwrite_edited: bool = False


class UnsafeName(ImmunopipeError, ValueError):
    """An article id that cannot safely name an export file."""


class FormatUnavailable(ImmunopipeError):
    """A format cannot be produced by this installation (e.g. PDF without WeasyPrint's libraries)."""


class FormatWriter(Protocol):
    """Writes one format's files for articles given one at a time, into a :class:`Staging`."""

    def add(self, piece: Piece) -> None:
        """Stage the files of ``piece``'s article (or its part of shared files)."""

    def finish(self) -> None:
        """Stage whatever needs every article (indexes, tables); called once, after the last one."""


@dataclass(frozen=True, kw_only=True)
class Format:
    """An export format: the folder it owns and its writer.

    ``writer(staging, options)`` makes the writer; ``check_available`` raises
    :class:`FormatUnavailable` when this installation cannot produce the format (called before
    the output folder is touched).
    """

    folder: str
    writer: Callable[[Staging, ExportOptions], FormatWriter]
    check_available: Callable[[], None] | None = None


def article_path(folder: str, article_id: str, suffix: str) -> PurePosixPath:
    """``folder/<article_id><suffix>``, after re-checking that the id is a safe, unreserved slug."""
    if not ID_PATTERN.fullmatch(article_id):
        raise UnsafeName(f"article id {article_id!r} cannot name a file: use a-z, 0-9 and single hyphens")
    if article_id in RESERVED_IDS:
        raise UnsafeName(f"article id {article_id!r} is reserved: it would overwrite {folder}/{article_id}{suffix}")
    return PurePosixPath(folder, f"{article_id}{suffix}")
