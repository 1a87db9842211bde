"""Export formats and PDF paper sizes: the names the CLI, the settings and the exporters share."""

from __future__ import annotations

from typing import Literal

#: The export formats (``--to``), in the order an export writes them.
EXPORT_FORMATS = ("json", "csv", "pdf")

#: The PDF paper sizes (``--paper``, ``paper`` in ``[tool.immunopipe]``) and the CSS page size of each.
PAPER_SIZES: dict[str, str] = {"a4": "A4", "letter": "letter"}

#: A paper size, for the type checker (a test keeps it equal to the keys of :data:`PAPER_SIZES`).
Paper = Literal["a4", "letter"]

DEFAULT_PAPER: Paper = "a4"
