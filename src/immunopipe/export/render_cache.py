"""JSON and CSV renderings kept between exports, so unchanged articles are neither loaded nor rendered.

An entry is keyed by the SHA-256 of the content file's bytes as validated and holds what the
JSON and CSV writers need from the article: its id and title, the SHA-256 of its JSON document
(the document itself is already in the export folder, where the hash proves it current) and its
rows of every CSV table. The whole cache is tied to a fingerprint of everything else a rendering
depends on: the immunopipe version, the schema, and the source of the loader, the model and the
JSON and CSV renderers. Change any of them and every entry is dropped.

The cache is one SQLite file (``export-v1.sqlite`` in the cache folder), changed in place and
safe against two exports at once. Entries not used by an export are removed when it ends. A
cache that cannot be opened, read or written only costs time: it is rebuilt or left out, and an
entry that does not decode is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import zlib
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from immunopipe import __version__
from immunopipe.export.csv import TABLES

CACHE_FILE = "export-v1.sqlite"
_SOURCES = (
    "load.py",
    "model.py",
    "export/json.py",
    "export/csv.py",
    "schemas.py",
    "schema/article.schema.json",
    # The exported JSON names these schemas' $ids.
    "schema/article-document.schema.json",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    digest TEXT PRIMARY KEY, id TEXT NOT NULL, title TEXT NOT NULL, json_sha256 TEXT NOT NULL,
    row_lengths TEXT NOT NULL, rows BLOB NOT NULL
);
"""


class Rendering(NamedTuple):
    """What the JSON and CSV exports take from one article."""

    id: str
    title: str
    json_sha256: str
    #: The article's rows of each CSV table, in table order.
    csv_rows: tuple[bytes, ...]


def fingerprint() -> str:
    """A digest of everything besides the content file that a :class:`Rendering` depends on."""
    digest = hashlib.sha256(f"{__version__}\0".encode())
    package = resources.files("immunopipe")
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()


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
            row = self._db.execute(
                "SELECT id, title, json_sha256, row_lengths, rows FROM entries WHERE digest = ?", (digest,)
            ).fetchone()
            if row is None:
                return None
            article_id, title, json_sha256, row_lengths, rows = row
            rendering = Rendering(article_id, title, json_sha256, _split(zlib.decompress(rows), row_lengths))
        except sqlite3.Error:
            self._give_up()
            return None
        except (zlib.error, ValueError):
            return None
        self._used.add(digest)
        return rendering

    def put(self, digest: str, rendering: Rendering) -> None:
        """Remember ``rendering`` for content with this SHA-256."""
        if self._db is None:
            return
        lengths = ",".join(str(len(rows)) for rows in rendering.csv_rows)
        blob = zlib.compress(b"".join(rendering.csv_rows), 1)
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (digest, rendering.id, rendering.title, rendering.json_sha256, lengths, blob),
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


def _split(data: bytes, row_lengths: str) -> tuple[bytes, ...]:
    """``data`` cut into pieces of the comma-separated ``row_lengths``; ValueError if they do not fit."""
    pieces, start = [], 0
    for length in map(int, row_lengths.split(",")):
        pieces.append(data[start : start + length])
        start += length
    if start != len(data) or len(pieces) != len(TABLES):
        raise ValueError("the stored rows do not fit the tables")
    return tuple(pieces)
