"""JSON and CSV renderings kept between exports, so unchanged articles are neither loaded nor rendered.

An entry is keyed by the SHA-256 of the content file's bytes as validated and holds what the
JSON and CSV writers need from the article: its id and title, the SHA-256 of its JSON document
(the document itself is already in the export folder, where the hash proves it current) and its
rows of every CSV table as plain cells, before formula neutralising (which the CSV writer applies
to every cell it writes, cached or not). The whole cache is tied to
:func:`immunopipe.fingerprint.code_fingerprint`: change any code, data file or dependency and
every entry is dropped.

The cache is a shortcut, never an authority. Each entry carries the SHA-256 of its own content
and is checked on every read: a checksum that does not match, or an entry of the wrong shape (an
id that is not a plain slug, rows that do not fit the tables, cells that are not text or whole
numbers, a row of another article), is a miss, and the article is loaded and rendered again.

The cache is one SQLite file (``export-v3.sqlite`` in the cache folder), changed in place and
safe against two exports at once. Entries not used by an export are removed when it ends. A
cache that cannot be opened, read or written only costs time: it is rebuilt or left out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import zlib
from pathlib import Path
from typing import Any, NamedTuple

from immunopipe.export.csv import TABLES, Row
from immunopipe.fingerprint import code_fingerprint

CACHE_FILE = "export-v3.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (digest TEXT PRIMARY KEY, checksum TEXT NOT NULL, content BLOB NOT NULL);
"""
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Rendering(NamedTuple):
    """What the JSON and CSV exports take from one article."""

    id: str
    title: str
    json_sha256: str
    #: The article's rows of each CSV table, in table order, as plain cells (not yet neutralised).
    csv_rows: tuple[tuple[Row, ...], ...]


def fingerprint() -> str:
    """A digest of everything besides the content file that a :class:`Rendering` depends on."""
    return code_fingerprint()


class RenderCache:
    """Renderings on disk in ``directory``; use as a context manager (see :meth:`close`)."""

    def __init__(self, directory: Path) -> None:
        self._path = directory / CACHE_FILE
        self._used: set[str] = set()
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except sqlite3.OperationalError:  # busy in another export, or not writable: do without
            pass
        except (OSError, sqlite3.DatabaseError):  # damaged: start again, or do without
            with contextlib.suppress(OSError, sqlite3.Error):
                self._path.unlink(missing_ok=True)
                self._db = self._open()

    def __enter__(self) -> RenderCache:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(prune=kind is None)

    def get(self, digest: str) -> Rendering | None:
        """The rendering stored for content with this SHA-256, or ``None``."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT checksum, content FROM entries WHERE digest = ?", (digest,)).fetchone()
        except sqlite3.Error:
            self._give_up()
            return None
        if row is None:
            return None
        try:
            rendering = _decode(digest, *row)
        except (zlib.error, ValueError, TypeError):
            return None  # damaged or forged: the article is rendered again, and its entry replaced
        self._used.add(digest)
        return rendering

    def put(self, digest: str, rendering: Rendering) -> None:
        """Remember ``rendering`` for content with this SHA-256."""
        if self._db is None:
            return
        content = json.dumps(rendering, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                (digest, _checksum(digest, content), zlib.compress(content, 1)),
            )
        except sqlite3.Error:  # e.g. another export holds the cache: carry on without it
            self._give_up()
            return
        self._used.add(digest)

    def close(self, *, prune: bool) -> None:
        """Save what was put; with ``prune``, also forget every entry this run did not use."""
        if self._db is None:
            return
        try:
            if prune:
                self._db.execute("CREATE TEMP TABLE used (digest TEXT PRIMARY KEY)")
                self._db.executemany("INSERT INTO used VALUES (?)", ((digest,) for digest in self._used))
                self._db.execute("DELETE FROM entries WHERE digest NOT IN (SELECT digest FROM used)")
            self._db.commit()
        except sqlite3.Error:
            self._db.rollback()
        finally:
            self._db.close()
            self._db = None

    def _give_up(self) -> None:
        """Leave the cache out for the rest of the run, keeping what is stored."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.rollback()
                self._db.close()
            self._db = None

    def _open(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self._path, timeout=10)
        try:
            db.executescript(_SCHEMA)
            current = fingerprint()
            stored = db.execute("SELECT fingerprint FROM meta").fetchone()
            if stored != (current,):
                db.execute("DELETE FROM entries")
                db.execute("DELETE FROM meta")
                db.execute("INSERT INTO meta VALUES (?)", (current,))
                db.commit()
        except BaseException:
            db.close()
            raise
        return db


def _checksum(digest: str, content: bytes) -> str:
    """The SHA-256 an entry carries: of its key and its content, so neither can be swapped alone."""
    return hashlib.sha256(digest.encode() + b"\0" + content).hexdigest()


def _decode(digest: str, checksum: object, blob: object) -> Rendering:
    """The rendering stored in an entry; ValueError unless its checksum and its shape are right."""
    if not isinstance(blob, bytes):
        raise ValueError("the entry holds no content")
    content = zlib.decompress(blob)
    if checksum != _checksum(digest, content):
        raise ValueError("the entry does not match its checksum")
    article_id, title, json_sha256, tables = json.loads(content)
    if not (isinstance(article_id, str) and _ID.fullmatch(article_id)):
        raise ValueError("the entry's id cannot name a file")
    if not isinstance(title, str) or not (isinstance(json_sha256, str) and _SHA256.fullmatch(json_sha256)):
        raise ValueError("the entry's title or JSON checksum is not text")
    if not isinstance(tables, list) or len(tables) != len(TABLES):
        raise ValueError("the entry's rows do not fit the tables")
    rows = tuple(_rows(article_id, table.columns, stored) for table, stored in zip(TABLES, tables, strict=True))
    return Rendering(article_id, title, json_sha256, rows)


def _rows(article_id: str, columns: tuple[Any, ...], stored: object) -> tuple[Row, ...]:
    """One table's stored rows, each as long as the table is wide, of this article, cells text or whole numbers."""
    if not isinstance(stored, list):
        raise ValueError("a table's rows are not a list")
    article_column = [column.name for column in columns].index("article_id")
    rows = []
    for row in stored:
        if not isinstance(row, list) or len(row) != len(columns) or row[article_column] != article_id:
            raise ValueError("a row does not fit its table")
        if not all(cell is None or type(cell) in (str, int) for cell in row):
            raise ValueError("a cell is neither text nor a whole number")
        rows.append(tuple(row))
    return tuple(rows)
