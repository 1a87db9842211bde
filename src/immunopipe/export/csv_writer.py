"""The CSV format's writer: every article's rows appended to the staged tables (see :mod:`.csv`)."""

from __future__ import annotations

from array import array
from itertools import pairwise
from pathlib import PurePosixPath

from immunopipe.export import csv as csv_export
from immunopipe.export import json as json_export
from immunopipe.export.csv_translations import TRANSLATION_TABLES
from immunopipe.export.piece import Piece
from immunopipe.export.writer import ExportOptions
from immunopipe.files.write import StagedFile, Staging

FOLDER = "csv"


class CsvWriter:
    """Appends each article's rows to the staged tables; rows end up in id order, as :func:`render_tables` puts them.

    Rows become bytes through :func:`immunopipe.export.csv.encode_rows` (:attr:`Piece.csv_bytes`),
    which neutralises formulas: cells from the render cache get the same treatment as freshly
    rendered ones.
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
            staged = staging.open(PurePosixPath(FOLDER, table.file_name))
            staged.handle.write(csv_export.header(table, bom=self._bom))
            self._tables.append(staged)
            self._offsets.append(array("q"))
        self._translation_tables: list[StagedFile] = []
        for translation_table in TRANSLATION_TABLES:
            staged = staging.open(PurePosixPath(FOLDER, translation_table.file_name))
            staged.handle.write(csv_export.header(translation_table, bom=self._bom))
            self._translation_tables.append(staged)

    def add(self, piece: Piece) -> None:
        if piece.language:  # the article tables hold the English source; translations have their own
            for staged, rows in zip(self._translation_tables, piece.translation_rows, strict=True):
                staged.handle.write(csv_export.encode_rows(rows))
            return
        self._ids.append(piece.id)
        for staged, offsets, encoded in zip(self._tables, self._offsets, piece.csv_bytes, strict=True):
            offsets.append(staged.handle.tell())
            staged.handle.write(encoded)

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
        for staged in self._translation_tables:
            self._staging.close(staged)
        package = json_export.dump(csv_export.datapackage())
        self._staging.add(PurePosixPath(FOLDER, csv_export.DATAPACKAGE_NAME), package)
