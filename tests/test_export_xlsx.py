"""The xlsx export, read back with openpyxl and pandas: every fact, typed cells, no formula, a usable sheet."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from immunopipe.export.csv import TABLES, restore
from immunopipe.export.csv_translations import TRANSLATION_TABLES

SCRIPT = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
WORKBOOK = Path("exports/xlsx/articles.xlsx")


def export(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT, "the immunopipe console script is not installed next to this Python"
    command = [SCRIPT, "export", "--to", "xlsx", "--to", "csv", "--no-cache", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=project, timeout=120)


@pytest.fixture
def project(tmp_path: Path, seed_text: str) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "immune-system-medicine.yaml").write_text(seed_text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def exported(project: Path) -> Path:
    result = export(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def csv_rows(project: Path, name: str) -> list[list[str]]:
    text = (project / "exports" / "csv" / f"{name}.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def shown(value: object) -> str:
    """A cell as the CSV writes it (before formula neutralising)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def test_one_sheet_per_table_with_the_csv_rows(exported: Path) -> None:
    workbook = openpyxl.load_workbook(exported / WORKBOOK)
    assert workbook.sheetnames == [table.name for table in (*TABLES, *TRANSLATION_TABLES)]
    for table in TABLES:
        sheet_rows = [[shown(cell) for cell in row] for row in workbook[table.name].iter_rows(values_only=True)]
        expected = csv_rows(exported, table.name)
        assert sheet_rows[0] == expected[0] == [column.name for column in table.columns]
        assert sheet_rows[1:] == [[restore(cell) for cell in row] for row in expected[1:]], table.name


def test_every_seed_fact_is_in_the_workbook(exported: Path, seed_facts: tuple[str, ...]) -> None:
    workbook = openpyxl.load_workbook(exported / WORKBOOK)
    cells = "\n".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value
    )
    assert [fact for fact in seed_facts if fact not in cells] == []


def test_cells_are_typed_and_never_formulas(exported: Path) -> None:
    workbook = openpyxl.load_workbook(exported / WORKBOOK)
    codes = workbook["medicine_codes"]
    header = [cell.value for cell in codes[1]]
    rxnorm = next(row for row in codes.iter_rows(min_row=2) if row[header.index("system")].value == "rxnorm")
    assert (rxnorm[header.index("code")].value, rxnorm[header.index("code")].data_type) == ("3008", "s")
    assert rxnorm[header.index("version")].data_type == "s"
    assert rxnorm[header.index("position")].data_type == "n"
    accessed = workbook["sources"]["F2"]
    assert accessed.is_date and accessed.number_format == "yyyy-mm-dd"
    unknown_date = workbook["articles"].cell(
        row=2, column=[c.value for c in workbook["articles"][1]].index("published") + 1
    )
    assert unknown_date.value == "unknown" and unknown_date.data_type == "s"
    assert workbook["articles"]["F2"].data_type == "n"  # reading_time_minutes
    with zipfile.ZipFile(exported / WORKBOOK) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("0001-01-01", "0001-01-01"),
        ("1899-12-31", "1899-12-31"),
        ("1900-01-01", "1900-01-01"),
        ("1900-02-28", "1900-02-28"),
        ("1900-03-01", datetime(1900, 3, 1)),
        ("2020-05-17", datetime(2020, 5, 17)),
    ],
)
def test_dates_a_spreadsheet_cannot_hold_are_iso_text(
    project: Path, seed_text: str, published: str, expected: object
) -> None:
    path = project / "content" / "immune-system-medicine.yaml"
    path.write_text(seed_text.replace("published: unknown", f"published: {published}", 1), encoding="utf-8")
    result = export(project)
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(project / WORKBOOK)["articles"]
    cell = sheet.cell(row=2, column=[c.value for c in sheet[1]].index("published") + 1)
    assert cell.value == expected
    assert (cell.data_type == "s") if isinstance(expected, str) else cell.is_date
    assert published in (project / "exports" / "csv" / "articles.csv").read_text(encoding="utf-8-sig")


def test_header_row_is_frozen_filtered_bold_and_columns_are_sized(exported: Path) -> None:
    workbook = openpyxl.load_workbook(exported / WORKBOOK)
    for table in TABLES:
        sheet = workbook[table.name]
        last_column = openpyxl.utils.get_column_letter(len(table.columns))
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{last_column}{max(sheet.max_row, 2)}"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [
            sheet.column_dimensions[openpyxl.utils.get_column_letter(n + 1)].width for n in range(len(table.columns))
        ]
        assert all(8 <= width <= 61 for width in widths), (table.name, widths)


def test_text_that_looks_like_a_formula_stays_text_as_written(project: Path, seed_text: str) -> None:
    path = project / "content" / "immune-system-medicine.yaml"
    path.write_text(seed_text.replace("category: Immunosuppression", 'category: "=HYPERLINK(1)"'), encoding="utf-8")
    assert export(project).returncode == 0
    cell = openpyxl.load_workbook(project / WORKBOOK)["articles"]["C2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_pandas_reads_every_sheet_with_types(exported: Path) -> None:
    sheets = pd.read_excel(exported / WORKBOOK, sheet_name=None, dtype={"code": str, "version": str})
    assert list(sheets) == [table.name for table in (*TABLES, *TRANSLATION_TABLES)]
    for table in TABLES:
        frame = sheets[table.name]
        assert list(frame.columns) == [column.name for column in table.columns]
        assert len(frame) == len(csv_rows(exported, table.name)) - 1
    codes = sheets["medicine_codes"]
    assert codes.loc[codes.system == "rxnorm", "code"].iloc[0] == "3008"
    assert codes["version"].iloc[0] == "2026"
    assert pd.api.types.is_integer_dtype(codes["position"])
    assert pd.api.types.is_datetime64_any_dtype(sheets["sources"]["accessed"])


def test_workbook_bytes_are_stable_so_an_unchanged_export_rewrites_nothing(exported: Path) -> None:
    first = (exported / WORKBOOK).read_bytes()
    again = export(exported)
    assert "0 files written" in again.stderr
    assert (exported / WORKBOOK).read_bytes() == first


SOFFICE = shutil.which("soffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def soffice(*args: str, cwd: Path) -> None:
    assert SOFFICE
    profile = f"-env:UserInstallation=file://{cwd / 'lo-profile'}"
    result = subprocess.run(
        [SOFFICE, profile, "--headless", *args], capture_output=True, text=True, cwd=cwd, timeout=180
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@needs_libreoffice
def test_libreoffice_opens_the_workbook_with_every_cell_and_type(exported: Path) -> None:
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    soffice("--convert-to", every_sheet, "--outdir", "lo", str(WORKBOOK), cwd=exported)
    for table in TABLES:
        text = (exported / "lo" / f"articles-{table.name}.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows == [[restore(cell) for cell in row] for row in csv_rows(exported, table.name)], table.name
    soffice("--convert-to", "xlsx", "--outdir", "lo-saved", str(WORKBOOK), cwd=exported)
    saved = openpyxl.load_workbook(exported / "lo-saved" / "articles.xlsx")
    codes = saved["medicine_codes"]
    assert [cell.data_type for cell in codes[3]][2:6] == ["n", "s", "s", "s"]  # position, system, version, code
    assert saved["sources"]["F2"].is_date


@pytest.mark.slow
@needs_libreoffice
def test_readme_libreoffice_command_imports_the_csv_with_codes_as_text(exported: Path) -> None:
    """The headless import the README gives: UTF-8 with its BOM, comma, quotes, versions and codes as text."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    infilter = '--infilter="CSV:44,34,76,1,5/2/6/2"'
    assert f"soffice --headless {infilter} --convert-to xlsx exports/csv/medicine_codes.csv" in readme
    soffice(
        infilter.replace('"', ""),
        "--convert-to",
        "xlsx",
        "--outdir",
        "lo",
        "exports/csv/medicine_codes.csv",
        cwd=exported,
    )
    sheet = openpyxl.load_workbook(exported / "lo" / "medicine_codes.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "article_id"  # the byte order mark is not part of the first name
    rxnorm = next(row for row in rows if row[3] == "rxnorm")
    assert (rxnorm[2], rxnorm[4], rxnorm[5]) == (2, "2026", "3008")
