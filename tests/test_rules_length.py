"""handout-length: the estimate against real renders, and the limit through validate."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

from immunopipe.export.pdf import render_pdf
from immunopipe.load import load_bytes
from immunopipe.model import article_from_data
from immunopipe.validate import validate_files
from immunopipe.validate.rules.handout_length import MAX_PAGES, estimated_pages

LONG_TEXT = ("Medicines can help people with long illnesses feel better and live well. " * 30)[:2000]


def with_considerations(seed: dict[str, Any], count: int) -> dict[str, Any]:
    data = copy.deepcopy(seed)
    data["considerations"] = [{"id": f"c{number}", "kind": "risk", "text": LONG_TEXT} for number in range(count)]
    return data


@pytest.fixture(scope="module")
def seed(seed_text: str) -> dict[str, Any]:
    return load_bytes(seed_text.encode()).data


@pytest.mark.parametrize("count", [0, 12])
def test_the_estimate_is_within_a_page_or_two_of_the_real_handout(seed: dict[str, Any], count: int) -> None:
    data = with_considerations(seed, count) if count else seed
    pdf = render_pdf(article_from_data(data))
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert abs(estimated_pages(data) - pages) <= max(1, pages // 5)


def test_an_article_too_long_for_a_handout_is_refused_at_its_title(
    seed: dict[str, Any], write_article: Callable[..., Path]
) -> None:
    data = with_considerations(seed, 50)
    assert estimated_pages(data) > MAX_PAGES
    path = write_article(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    found = [d for d in validate_files([path]).diagnostics if d.rule == "handout-length"]
    assert [(d.severity.value, d.line) for d in found] == [("error", 2)]
    assert "about 28 A4 pages" in found[0].message


def test_the_seed_fits(seed: dict[str, Any]) -> None:
    assert estimated_pages(seed) <= 3
