"""Layout rules measured from the rendered PDF: text positions and page fill, per paper and print size."""

from __future__ import annotations

import itertools
import re

import pytest
from handout_variants import LAYOUTS, LONG_WORD, SEED, TRANSLATIONS, handout, longest_article_data, translated_handout
from pdf_layout import TOP_MARGIN, PageLayout, page_layouts

from immunopipe.export.handout_language import handout_language
from immunopipe.export.pdf import TEXT_WIDTH_PT, page_rules
from immunopipe.load import load_path
from immunopipe.model import article_from_data
from immunopipe.translation.facts import translated_article
from immunopipe.translation.layout import translation_path
from immunopipe.translation.model import Translation

#: The least fill of a page that is not the last: two thirds.
LEAST_FILL = 2 / 3


def _pages(paper: str, large_print: bool, *, with_profile: bool = False, longest: bool = False) -> list[PageLayout]:
    article = article_from_data(longest_article_data() if longest else load_path(SEED).data)
    margin = float(re.search(r"margin-bottom: ([0-9.]+)pt", page_rules(article, paper, large_print)).group(1))
    pdf = handout(paper, large_print, with_profile=with_profile, longest=longest)
    return page_layouts(pdf, margin, TOP_MARGIN[paper])


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
        side_margin = (page.width - TEXT_WIDTH_PT[paper]) / 2
        assert page.right_edge <= page.width - side_margin + 1, "text runs past the right margin"
        source = data["editorial"]["sources"][0]
        assert " ".join(source["title"].split()) in page.footer  # never cut with "..."
        assert "…" not in page.footer
    body = "".join(page.body.replace(" ", "") for page in pages)
    assert LONG_WORD[:200] in body  # the word is all there, wrapped, not clipped


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("with_profile", [False, True])
def test_seed_fits_two_pages(paper: str, with_profile: bool) -> None:
    """On A4 and on Letter (50 pt shorter), with the example clinic's header and contact box too."""
    pages = _pages(paper, False, with_profile=with_profile)
    assert len(pages) == 2, [round(page.fill, 2) for page in pages]
    assert all(page.fill <= 1.005 for page in pages), "text below the bottom margin"
    assert "About this leaflet" in pages[-1].body and "versions of this leaflet." in pages[-1].body  # nothing dropped


@pytest.mark.parametrize("with_profile", [False, True])
def test_letter_keeps_body_text_size_and_line_spacing(with_profile: bool) -> None:
    """Letter fits in two pages by its margins and gaps, never by smaller text or tighter lines."""
    for paper_pages in (_text_lines("a4", with_profile), _text_lines("letter", with_profile)):
        sizes, gaps = paper_pages
        assert min(sizes) >= 12 - 0.05, f"text below 12 pt: {min(sizes)}"
        assert 16.8 - 0.2 <= gaps <= 16.8 + 0.2, f"body line spacing {gaps}, not 1.4 x 12 pt"


def _text_lines(paper: str, with_profile: bool) -> tuple[list[float], float]:
    """Font sizes of every character, and the commonest gap between glossary lines (points)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(handout(paper, False, with_profile=with_profile))
    sizes: list[float] = []
    baselines: list[float] = []
    for page in document:
        text = page.get_textpage()
        sizes += [
            pdfium_c.FPDFText_GetFontSize(text, index)
            for index in range(text.count_chars())
            if not text.get_text_range(index, 1).isspace()
        ]
        for term in ("chronic:", "systemic:", "insulin:", "pancreas:"):
            found = text.search(term, match_case=True, match_whole_word=False).get_next()
            if found:
                baselines.append(text.get_charbox(found[0])[1])
    ordered = sorted(baselines)
    gaps = [round(b - a, 1) for a, b in itertools.pairwise(ordered)]
    return sizes, min(gaps)


def test_page_fill_sees_a_near_empty_page() -> None:
    """The measure itself: a page holding one line is nearly empty, a page of lines is full."""
    import weasyprint

    lines = "".join(f"<p>line {number}</p>" for number in range(200))
    html = f"<html lang='en'><body><p style='break-after: page'>one line</p>{lines}</body></html>"
    css = weasyprint.CSS(string="@page { size: A4; margin: 6mm 10mm 20mm 10mm } p { margin: 0 }")
    pages = page_layouts(weasyprint.HTML(string=html).write_pdf(stylesheets=[css]), 20 / 25.4 * 72)
    assert pages[0].fill < 0.05 and pages[1].fill > 0.95


@pytest.mark.parametrize("with_profile", [False, True], ids=["", "profile"])
@pytest.mark.parametrize("language", [tag for tag, _ in TRANSLATIONS])
def test_translated_pages_are_used_and_rows_kept_together(language: str, with_profile: bool) -> None:
    """The layout rules hold in every script: pages at least two thirds full, table rows in twos."""
    translation = Translation.from_data(load_path(translation_path(SEED.parent, language, SEED.stem)).data)
    article = translated_article(article_from_data(load_path(SEED).data), translation.texts, translation.language)
    rules = page_rules(article, "a4", False, handout_language(translation))
    margin = float(re.search(r"margin-bottom: ([0-9.]+)pt", rules).group(1))
    pages = page_layouts(translated_handout(language, with_profile=with_profile), margin)
    assert all(page.fill >= LEAST_FILL for page in pages[:-1]), [round(p.fill, 2) for p in pages]
    # Rows are found by the start of their "How it works" text (class names recur in the glossary),
    # compared without spaces: extracted Chinese has none, and a cell may wrap.
    rows = ["".join(c.mechanism.split())[:8] for c in article.medicine_classes]
    found = [sum(row in "".join(page.body.split()) for row in rows) for page in pages]
    assert sum(found) >= 2 and all(count != 1 for count in found), f"a lone table row in {language}: {found}"


@pytest.mark.parametrize(("paper", "large_print"), LAYOUTS)
@pytest.mark.parametrize("language", [tag for tag, _ in TRANSLATIONS])
def test_a_translated_footer_fits_its_margin_whole(language: str, paper: str, large_print: bool) -> None:
    """The margin is measured in the script's own faces: never so small that the footer is cut."""
    translation = Translation.from_data(load_path(translation_path(SEED.parent, language, SEED.stem)).data)
    article = translated_article(article_from_data(load_path(SEED).data), translation.texts, translation.language)
    labels = handout_language(translation).labels
    rules = page_rules(article, paper, large_print, handout_language(translation))
    margin = float(re.search(r"margin-bottom: ([0-9.]+)pt", rules).group(1))
    pages = page_layouts(translated_handout(language, paper, large_print), margin, TOP_MARGIN[paper])
    for page in pages:
        footer = "".join(page.footer.split())
        # Its last line's last words (extractors may give the Arabic ligature lam-alef as alef-lam).
        assert "".join(labels["not-advice"].split()[-3:]) in footer, f"{language} footer cut: {page.footer[-80:]}"
        assert "".join(labels["published"].split()) in footer
