"""The shared names of formats and paper sizes agree with the code that uses them."""

from __future__ import annotations

from typing import get_args

from immunopipe import export
from immunopipe.formats import DEFAULT_PAPER, EXPORT_FORMATS, PAPER_SIZES, REPORT_FORMATS, Paper
from immunopipe.reporters import REPORTERS


def test_the_paper_type_names_every_paper_size() -> None:
    assert get_args(Paper) == tuple(PAPER_SIZES)
    assert DEFAULT_PAPER in PAPER_SIZES


def test_every_format_name_has_a_writer_in_the_same_order() -> None:
    assert tuple(export.FORMATS) == EXPORT_FORMATS


def test_every_report_format_has_a_reporter_in_the_same_order() -> None:
    assert tuple(REPORTERS) == REPORT_FORMATS
