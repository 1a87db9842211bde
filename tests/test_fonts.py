"""Font location and coverage: the one place that knows the handout typeface."""

from __future__ import annotations

from pathlib import Path

import pytest

from immunopipe.export import pdf
from immunopipe.fonts import (
    FONT_FACES,
    FontUnavailable,
    code_points,
    covers,
    handout_faces,
    handout_font_files,
    missing_characters,
)


def test_the_handout_faces_are_the_files_the_pdf_exporter_embeds() -> None:
    faces = handout_faces()
    assert [(face.weight, face.style) for face in faces] == list(FONT_FACES)
    assert {path for path, _, _ in pdf.font_files().values()} == set(handout_font_files())


def test_the_typeface_covers_latin_text_but_not_cjk_emoji_or_greek() -> None:
    fonts = handout_font_files()
    assert covers(
        fonts,
        "Na\u00efve T-cells \u2013 \u201cquoted\u201d \u2018text\u2019 \u2026 5 \u00b5g, 37 \u00b0C, \u00c6r\u00f8",
    )
    assert missing_characters(fonts, "TNF-\u03b1 and \u514d\u75ab \U0001f48a \u03b1") == [
        "\u03b1",
        "\u514d",
        "\u75ab",
        "\U0001f48a",
    ]


def test_characters_that_print_nothing_need_no_glyph() -> None:
    assert missing_characters(handout_font_files(), "a\u2009b\u202fc\u200bd\ufe0f\n\t\u00ad") == []


def test_any_font_set_can_be_asked(tmp_path: Path) -> None:
    """A later translation can ask about its own fonts: the answer depends only on the files given."""
    regular, *_ = handout_font_files()
    assert missing_characters([regular], "abc") == []
    assert missing_characters([], "abc") == ["a", "b", "c"]
    assert code_points(regular) == code_points(regular)  # read once, then cached
    with pytest.raises(FontUnavailable, match="cannot read"):
        missing_characters([tmp_path / "no-such-font.ttf"], "abc")
