"""Layout read back from a rendered PDF with pypdfium2: each page's text and how full it is."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium

#: The stylesheets' top page margin per paper (6 mm; 5 mm on Letter) in points.
TOP_MARGIN = {"a4": 6 / 25.4 * 72, "letter": 5 / 25.4 * 72}


@dataclass(frozen=True)
class PageLayout:
    """One page: its body text, its footer text, how full its body is, and its widest text edge."""

    body: str
    footer: str
    fill: float
    right_edge: float
    width: float


def page_layouts(pdf: bytes, bottom_margin: float, top_margin: float = TOP_MARGIN["a4"]) -> list[PageLayout]:
    """Every page of ``pdf``, split at ``bottom_margin`` (points from the bottom) into body and footer."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        rects = [text.get_rect(index) for index in range(text.count_rects())]
        body_rects = [rect for rect in rects if rect[3] > bottom_margin]
        lowest = min((rect[1] for rect in body_rects), default=height - top_margin)
        fill = (height - top_margin - lowest) / (height - top_margin - bottom_margin)
        pages.append(
            PageLayout(
                body=_words(text.get_text_bounded(bottom=bottom_margin)),
                footer=_words(text.get_text_bounded(top=bottom_margin)),
                fill=fill,
                right_edge=max((rect[2] for rect in rects), default=0.0),
                width=width,
            )
        )
    return pages


def _words(text: str) -> str:
    return " ".join(text.split())
