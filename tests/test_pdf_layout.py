"""Layout rules measured from the rendered PDF: text positions and page fill, per paper and print size."""

from __future__ import annotations

import re

import pytest
from handout_variants import LAYOUTS, LONG_WORD, SEED, handout, longest_article_data
from pdf_layout import PageLayout, page_layouts

from immunopipe.export.pdf import page_rules
from immunopipe.load import load_path
from immunopipe.model import article_from_data

#: The least fill of a page that is not the last: two thirds.
LEAST_FILL = 2 / 3
SIDE_MARGIN = 10 / 25.4 * 72


def _pages(paper: str, large_print: bool, *, with_profile: bool = False, longest: bool = False) -> list[PageLayout]:
    article = article_from_data(longest_article_data() if longest else load_path(SEED).data)
    margin = float(re.search(r"margin-bottom: ([0-9.]+)pt", page_rules(article, paper, large_print)).group(1))
    return page_layouts(handout(paper, large_print, with_profile=with_profile, longest=longest), margin)


@pytest.mark.parametrize(("paper", "large_print"), LAYOUTS)
@pytest.mark.parametrize("with_profile", [False, True])
def test_table_rows_come_in_twos_under_a_repeated_header(paper: str, large_print: bool, with_profile: bool) -> None:
    classes = [c["name"] for c in load_path(SEED).data["medicine_classes"]]
    for page in _pages(paper, large_print, with_profile=with_profile):
        rows = [name for name in classes if name in page.body]
        if rows:
            assert "Type of medicine Examples How it works" in page.body  # the header, on every page
            assert len(rows) >= 2, f"a lone table row: {rows}"


@pytest.mark.parametrize(("paper", "large_print"), LAYOUTS)
def test_list_items_glossary_entries_and_headings_stay_whole(paper: str, large_print: bool) -> None:
    data = load_path(SEED).data
    pages = _pages(paper, large_print)
    entries = [f"{e['term']}: {e['definition']}" for e in data["glossary"]]
    entries += [f"{c['name']}" for use in data["uses"] for c in use["conditions"]]
    entries += [c["text"] for c in data["considerations"]]
    for entry in entries:
        assert any(" ".join(entry.split()) in page.body for page in pages), f"split across pages: {entry[:60]}"
    for heading in [use["title"] for use in data["uses"]] + ["Words explained", "About this leaflet"]:
        page = next(page for page in pages if heading in page.body)
        assert not page.body.endswith(heading), f"heading {heading!r} stranded at the foot of a page"


@pytest.mark.parametrize(("paper", "large_print"), LAYOUTS)
@pytest.mark.parametrize("with_profile", [False, True])
def test_pages_are_used(paper: str, large_print: bool, with_profile: bool) -> None:
    """No page but the last is less than two thirds full (large print used to leave a third empty)."""
    pages = _pages(paper, large_print, with_profile=with_profile)
    assert all(page.fill >= LEAST_FILL for page in pages[:-1]), [round(p.fill, 2) for p in pages]


@pytest.mark.slow
@pytest.mark.parametrize(("paper", "large_print"), LAYOUTS)
def test_long_words_wrap_inside_the_page_and_the_footer_is_whole(paper: str, large_print: bool) -> None:
    data = longest_article_data()
    pages = _pages(paper, large_print, with_profile=True, longest=True)
    for page in pages:
        assert page.right_edge <= page.width - SIDE_MARGIN + 1, "text runs past the right margin"
        source = data["editorial"]["sources"][0]
        assert " ".join(source["title"].split()) in page.footer  # never cut with "..."
        assert "…" not in page.footer
    body = "".join(page.body.replace(" ", "") for page in pages)
    assert LONG_WORD[:200] in body  # the word is all there, wrapped, not clipped


@pytest.mark.parametrize("with_profile", [False, True])
def test_seed_fits_two_pages_on_a4(with_profile: bool) -> None:
    """With the example clinic's header and contact box too."""
    assert len(_pages("a4", False, with_profile=with_profile)) == 2


def test_page_fill_sees_a_near_empty_page() -> None:
    """The measure itself: a page holding one line is nearly empty, a page of lines is full."""
    import weasyprint

    lines = "".join(f"<p>line {number}</p>" for number in range(200))
    html = f"<html lang='en'><body><p style='break-after: page'>one line</p>{lines}</body></html>"
    css = weasyprint.CSS(string="@page { size: A4; margin: 6mm 10mm 20mm 10mm } p { margin: 0 }")
    pages = page_layouts(weasyprint.HTML(string=html).write_pdf(stylesheets=[css]), 20 / 25.4 * 72)
    assert pages[0].fill < 0.05 and pages[1].fill > 0.95
