"""One article on its way through the format writers, loaded and rendered only as far as they need.

An export is given articles (:class:`~immunopipe.model.Article`) or :class:`PendingArticle` items:
an article not loaded yet, known by the SHA-256 of its content file as validated. A pending
article may come rendered already (:func:`prerender`, run by the validation while the article
was loaded, in the process that checked it); with a render cache, an unchanged pending article's
JSON checksum and CSV rows come from the cache. Either way the article is never loaded for the
JSON and CSV; otherwise it is loaded (by the loader it was given, which re-checks it against the
schema) the first time a writer asks for it.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from immunopipe.export import csv as csv_export
from immunopipe.export import json as json_export
from immunopipe.export.csv import Row
from immunopipe.export.csv_translations import TRANSLATION_TABLES
from immunopipe.export.render_cache import RenderCache, Rendering
from immunopipe.export.writer import UnsafeName
from immunopipe.model import Article
from immunopipe.translation.facts import translated_article
from immunopipe.translation.model import Translation

#: BCP 47 tags as they may name files (letters, digits, hyphens).
LANGUAGE_PATTERN = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class PendingArticle:
    """An article not loaded yet: the SHA-256 of its content file as validated, and how to load it.

    Given pending articles and a cache folder, an export takes the JSON and CSV of unchanged
    articles from the render cache and loads only the articles it must render anew.
    """

    digest: str
    load: Callable[[], Article]
    #: The article's JSON document and CSV rows as :func:`prerender` packed them, if it ran.
    rendered: bytes | None = None


def prerender(article: Article) -> bytes:
    """The JSON document and CSV rows of ``article``, packed to travel from a worker process.

    The validation calls this for each article it passes, where the article is loaded anyway;
    a :class:`Piece` unpacks it. The bytes never leave the run (nothing stores them).
    """
    rows = csv_export.article_cells(article)
    tables = tuple(csv_export.encode_rows(table_rows) for table_rows in rows)
    rendered = (article.id, article.title, json_export.render_article(article), rows, tables)
    return zlib.compress(pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL), 1)


@dataclass(frozen=True)
class TranslatedArticle:
    """A checked translation of an article, exported beside it: ``<id>.<language>`` files in each format."""

    source: PendingArticle
    translation: Translation


class Piece:
    """One article (or translation) for the writers: its id, title, JSON document and CSV rows, made when asked for."""

    #: The article's handout when it was rendered before (by a shard being merged); None: render it.
    pdf: bytes | None = None
    #: The translation this piece is, or ``None`` for a source article.
    translation: Translation | None = None
    #: The rows of every CSV table encoded, once asked for or as prerendered.
    _csv_bytes: tuple[bytes, ...] | None = None

    def __init__(self, item: Article | PendingArticle | TranslatedArticle, cache: RenderCache | None) -> None:
        self.translation = item.translation if isinstance(item, TranslatedArticle) else None
        if isinstance(item, TranslatedArticle):  # translations are not in the render cache
            item, cache = item.source, None
        self._pending = item if isinstance(item, PendingArticle) else None
        self._article = item if isinstance(item, Article) else None
        self._cache = cache if self._pending else None
        self._cached = self._cache.get(self._pending.digest) if self._cache and self._pending else None
        self._json: bytes | None = None
        self._csv_rows: tuple[tuple[Row, ...], ...] | None = None
        #: What the JSON and CSV writers need, known without loading the article: cached or prerendered.
        self._known = self._cached
        if self._known is None and self._pending and self._pending.rendered and self.translation is None:
            self._known = self._unpack(self._pending.rendered)

    def _unpack(self, rendered: bytes) -> Rendering:
        """The :class:`Rendering` of :func:`prerender`'s bytes (the JSON document kept for the writer)."""
        article_id, title, document, rows, self._csv_bytes = pickle.loads(zlib.decompress(rendered))
        self._json = document
        return Rendering(article_id, title, hashlib.sha256(document).hexdigest(), rows)

    @property
    def article(self) -> Article:
        """The article itself (loaded now if it was not yet)."""
        if self._article is None:
            assert self._pending is not None
            self._article = self._pending.load()
            if self.translation:
                self._article = translated_article(self._article, self.translation.texts, self.translation.language)
        return self._article

    @property
    def language(self) -> str | None:
        """The translation's language (a BCP 47 tag), or ``None`` for a source article."""
        return self.translation.language if self.translation else None

    @property
    def suffix(self) -> str:
        """What follows the id in this piece's file names: ``.LANG`` for a translation, else nothing."""
        language = self.language
        if language is None:
            return ""
        if not LANGUAGE_PATTERN.fullmatch(language):
            raise UnsafeName(f"language {language!r} cannot name a file")
        return f".{language}"

    @property
    def digest(self) -> str | None:
        """The SHA-256 of the article's content file, when it came as a :class:`PendingArticle`."""
        return self._pending.digest if self._pending else None

    @property
    def id(self) -> str:
        return self._known.id if self._known else self.article.id

    @property
    def title(self) -> str:
        return self._known.title if self._known else self.article.title

    @property
    def json(self) -> bytes:
        """The article's JSON document."""
        if self._json is None:
            self._json = json_export.render_article(self.article, self.translation)
        return self._json

    @property
    def json_sha256(self) -> str:
        return self._known.json_sha256 if self._known else hashlib.sha256(self.json).hexdigest()

    @property
    def csv_rows(self) -> tuple[tuple[Row, ...], ...]:
        """The article's rows of every CSV table as cells (:func:`immunopipe.export.csv.article_cells`)."""
        if self._known:
            return self._known.csv_rows
        if self._csv_rows is None:
            self._csv_rows = csv_export.article_cells(self.article)
        return self._csv_rows

    @property
    def csv_bytes(self) -> tuple[bytes, ...]:
        """The article's rows of every CSV table as CSV bytes, formulas neutralised (:func:`~.csv.encode_rows`)."""
        if self._csv_bytes is None:
            self._csv_bytes = tuple(csv_export.encode_rows(rows) for rows in self.csv_rows)
        return self._csv_bytes

    @property
    def translation_rows(self) -> tuple[tuple[Row, ...], ...]:
        """A translation's rows of every translation table as cells (:data:`TRANSLATION_TABLES` order)."""
        assert self.translation is not None
        return tuple(tuple(table.rows(self.translation)) for table in TRANSLATION_TABLES)

    def remember(self) -> None:
        """Store the rendering in the cache, if there is one and it did not come from there."""
        if self._cache and self._pending and not self._cached:
            rendering = Rendering(self.id, self.title, self.json_sha256, self.csv_rows)
            self._cache.put(self._pending.digest, rendering)
