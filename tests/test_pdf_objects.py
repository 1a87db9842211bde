"""Objects turned into bytes once: the file is byte for byte what pydyf writes from the objects themselves.

Each handout is rendered twice, with the step and without it (the finisher then only completes
the tag tree), for whole embedded fonts, subset fonts (a character the typeface lacks) and a
translation's cut fonts; then the font cache is checked to serve only the bytes it was given.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Callable
from typing import Any

import pydyf
import pytest
from handout_variants import translated_handout

from immunopipe.export import pdf as renderer
from immunopipe.export import pdf_objects
from immunopipe.load import load_bytes
from immunopipe.model import Article, article_from_data


@pytest.fixture
def seed_data(seed_text: str) -> dict[str, Any]:
    return load_bytes(seed_text.encode("utf-8")).data


def with_and_without(render: Callable[[], bytes], monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    """``render()`` with every object serialised once, and as pydyf writes the objects themselves."""
    once = render()
    with monkeypatch.context() as patch:
        patch.setattr(pdf_objects, "serialise_objects", lambda pdf: None)
        plain = render()
    return once, plain


def test_whole_fonts_give_the_same_bytes(seed_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    article = article_from_data(seed_data)
    once, plain = with_and_without(lambda: renderer.render_pdf(article), monkeypatch)
    assert once == plain


def test_subset_fonts_give_the_same_bytes(seed_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy.deepcopy(seed_data)
    data["summary"] += " TNF-\N{GREEK SMALL LETTER ALPHA} blockers are biologics."  # not in the typeface
    article: Article = article_from_data(data)
    once, plain = with_and_without(lambda: renderer.render_pdf(article, paper="letter", large_print=True), monkeypatch)
    assert once == plain


def test_a_translations_fonts_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    once, plain = with_and_without(lambda: translated_handout.__wrapped__("zh-Hans"), monkeypatch)
    assert once == plain


def test_font_files_are_compressed_once_and_served_only_for_their_own_bytes() -> None:
    def pdf_with_font(content: bytes) -> Any:
        pdf = pydyf.PDF()
        stream = pydyf.Stream([content], pydyf.Dictionary({"Length1": len(content)}), compress=True)
        pdf.add_object(stream)
        pdf.add_object(pydyf.Dictionary({"Type": "/FontDescriptor", "FontFile2": stream.reference}))
        return pdf, stream

    first, second = b"font one " * 500, b"font two " * 500
    pdf_objects._deflated.cache_clear()
    written = []
    for content in (first, second, first):
        pdf, stream = pdf_with_font(content)
        pdf_objects.serialise_objects(pdf)
        data = pdf.objects[stream.number].data
        written.append(data)
        body = data.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
        assert zlib.decompress(body) == content
    assert written[0] == written[2] != written[1]
    assert pdf_objects._deflated.cache_info().hits == 1


def test_serialised_objects_keep_their_numbers_and_where_they_can_go() -> None:
    pdf = pydyf.PDF()
    stream = pydyf.Stream([b"BT ET"], compress=True)
    pdf.add_object(stream)
    dictionary = pydyf.Dictionary({"Type": "/Example"})
    pdf.add_object(dictionary)
    expected = [(item.number, item.generation, item.free, item.compressible, item.data) for item in pdf.objects[1:]]
    pdf_objects.serialise_objects(pdf)
    assert [(item.number, item.generation, item.free, item.compressible, item.data) for item in pdf.objects[1:]] == (
        expected
    )
