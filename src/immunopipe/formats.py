"""Export and report formats and PDF paper sizes: the names the CLI, the settings, the exporters
and the reporters share."""

from __future__ import annotations

from typing import Literal

#: The report formats of validate and export (``--format``; a test keeps them the reporters' names).
REPORT_FORMATS = ("text", "json", "github")

#: The export formats (``--to``), in the order an export writes them.
EXPORT_FORMATS = ("json", "csv", "pdf", "xlsx")

#: The PDF paper sizes (``--paper``, ``paper`` in ``[tool.immunopipe]``) and the CSS page size of each.
PAPER_SIZES: dict[str, str] = {"a4": "A4", "letter": "letter"}

#: A paper size, for the type checker (a test keeps it equal to the keys of :data:`PAPER_SIZES`).
Paper = Literal["a4", "letter"]

DEFAULT_PAPER: Paper = "a4"
