"""The JSON format's writer: each article's document as it comes, then ``index.json`` (see :mod:`.json`)."""

from __future__ import annotations

from pathlib import PurePosixPath

from immunopipe.export import json as json_export
from immunopipe.export.piece import Piece
from immunopipe.export.writer import ExportOptions, article_path
from immunopipe.files.write import Staging

FOLDER = "json"


class JsonWriter:
    """Stages each article's JSON file as it comes; the index, ordered by id, at the end."""

    def __init__(self, staging: Staging, options: ExportOptions) -> None:
        self._staging = staging
        self._entries: list[json_export.IndexEntry] = []

    def add(self, piece: Piece) -> None:
        path = article_path(FOLDER, piece.id, f"{piece.suffix}.json")
        if not self._staging.keep(path, piece.json_sha256):
            self._staging.add(path, piece.json)
        self._entries.append(
            json_export.IndexEntry(piece.id, piece.title, path.name, piece.json_sha256, piece.language)
        )

    def finish(self) -> None:
        self._entries.sort(key=lambda entry: (entry.id, entry.language or ""))
        self._staging.add(PurePosixPath(FOLDER, json_export.INDEX_NAME), json_export.render_index(self._entries))
