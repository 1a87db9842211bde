"""Spreadsheet export: one workbook, ``xlsx/articles.xlsx``, with a sheet per CSV table (translations' too).

The sheets are the tables of :mod:`immunopipe.export.csv` (same names, columns, order and rows),
so a workbook and the CSV files always hold the same facts. Cells are typed as the Data Package
types the columns: ``integer`` columns are numbers, ``date`` columns are real dates (formatted
``yyyy-mm-dd``) where a date is known and the text ``unknown`` where it is not (a date before
:data:`FIRST_SPREADSHEET_DATE` is ISO text: spreadsheets hold no earlier dates), and everything
else, codes and code-system versions included, is text written with ``write_string``: no cell
is ever a formula, however it starts, so the CSV formula neutralising is not needed (and not
applied) here. An empty cell means the article does not have that fact. Each sheet's header row
is bold, frozen and has an AutoFilter; column widths follow the longest value (capped).

The workbook is deterministic: the same articles give the same bytes (its creation date is
fixed), so an unchanged workbook is not rewritten. It is built from each article's CSV rows
(which the render cache keeps), held until every article is in so rows come out in id order.
A table longer than a worksheet (1,048,576 rows) cannot be written: use the CSV export then.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from immunopipe.export import csv as csv_export
from immunopipe.export.csv_translations import TRANSLATION_TABLES, TranslationTable
from immunopipe.export.writer import FormatUnavailable

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from immunopipe.export.piece import Piece
    from immunopipe.export.writer import ExportOptions
    from immunopipe.files.write import Staging

WORKBOOK_NAME = "articles.xlsx"
#: Rows and characters a worksheet cell can hold.
MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
#: Column widths, in characters.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: The fixed creation date that keeps the workbook's bytes the same from run to run.
CREATED = datetime(2000, 1, 1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: The first date written as a date cell. Excel's 1900 date system starts at 1900-01-01 and holds
#: no earlier date; it also counts a 1900-02-29 that never was, so serials before 1900-03-01 read
#: a day apart in Excel and LibreOffice. Earlier dates are written as ISO text instead.
FIRST_SPREADSHEET_DATE = date(1900, 3, 1)


def _cell(column: csv_export.Column, value: csv_export.Cell) -> str | int | date | None:
    """A table cell as the workbook holds it: ``None`` (empty), a number, a date or the text itself.

    A date a spreadsheet cannot hold (before :data:`FIRST_SPREADSHEET_DATE`) stays its ISO text.
    """
    if isinstance(value, str) and column.type == "date" and _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        return day if day >= FIRST_SPREADSHEET_DATE else value
    return value


def table_values(table: csv_export.Table | TranslationTable, rows: Iterable[csv_export.Row]) -> list[list[Any]]:
    """One article's rows of ``table`` (plain cells, :func:`csv_export.article_cells`) as typed values."""
    return [[_cell(column, value) for column, value in zip(table.columns, row, strict=True)] for row in rows]


class XlsxWriter:
    """Collects each article's rows; writes the workbook, rows in id order, at the end."""

    def __init__(self, staging: Staging, options: ExportOptions) -> None:
        self._staging = staging
        self._articles: list[tuple[str, tuple[tuple[csv_export.Row, ...], ...]]] = []
        self._translations: list[tuple[tuple[csv_export.Row, ...], ...]] = []

    def add(self, piece: Piece) -> None:
        if piece.language:  # the article sheets hold the English source; translations have their own
            self._translations.append(piece.translation_rows)
            return
        self._articles.append((piece.id, piece.csv_rows))

    def finish(self) -> None:
        import xlsxwriter

        self._articles.sort(key=lambda item: item[0])
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        workbook.set_properties(
            {"title": "Health articles exported by immunopipe", "created": CREATED, "author": "", "company": ""}
        )
        header = workbook.add_format({"bold": True})
        dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheets: list[tuple[csv_export.Table | TranslationTable, list[list[Any]]]] = [
            (table, [row for _id, rows in self._articles for row in table_values(table, rows[index])])
            for index, table in enumerate(csv_export.TABLES)
        ]
        sheets += [
            (table, [row for rows in self._translations for row in table_values(table, rows[index])])
            for index, table in enumerate(TRANSLATION_TABLES)
        ]
        for table, values in sheets:
            if len(values) + 1 > MAX_ROWS:
                raise FormatUnavailable(
                    f"the {table.name} table has {len(values):,} rows, more than a worksheet holds: use --to csv"
                )
            try:
                _write_sheet(workbook.add_worksheet(table.name), table, values, header, dates)
            except ValueError as exc:
                raise FormatUnavailable(f"cannot write the workbook: {exc}") from exc
        workbook.close()
        self._staging.add(PurePosixPath("xlsx", WORKBOOK_NAME), buffer.getvalue())


def _write_sheet(
    sheet: Worksheet, table: csv_export.Table | TranslationTable, values: list[list[Any]], header: Any, dates: Any
) -> None:
    names = [column.name for column in table.columns]
    for number, name in enumerate(names):
        longest = max([len(name), *(_width(row[number]) for row in values)])
        sheet.set_column(number, number, min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    # Codes such as RxNorm 8640 are text on purpose: no "number stored as text" markers.
    sheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
    sheet.autofilter(0, 0, max(len(values), 1), len(names) - 1)
    for number, name in enumerate(names):
        sheet.write_string(0, number, name, header)
    for row_number, row in enumerate(values, start=1):
        for number, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int):
                sheet.write_number(row_number, number, value)
            elif isinstance(value, date):
                sheet.write_datetime(row_number, number, datetime(value.year, value.month, value.day), dates)
            elif len(value) > MAX_CELL_CHARS:
                raise ValueError(f"a {table.name} cell holds {len(value):,} characters, more than a cell can")
            else:
                sheet.write_string(row_number, number, value)


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return len(str(value))
