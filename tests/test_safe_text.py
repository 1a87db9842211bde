"""Names and text made safe for terminals and JSON."""

from __future__ import annotations

import os

import pytest

from immunopipe.safe_text import printable, shortened, valid_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("plain.yaml", "plain.yaml"),
        ("\x1b[31mred\x1b[0m.yaml", "\\x1b[31mred\\x1b[0m.yaml"),
        ("two\nlines.yaml", "two\\nlines.yaml"),
        (os.fsdecode(b"latin-\xe9.yaml"), "latin-\\xe9.yaml"),
        (b"bytes-\xff.yaml", "bytes-\\xff.yaml"),
        ("bell\x07.yaml", "bell\\x07.yaml"),
        ("caf\u00e9 \u4e2d.yaml", "caf\u00e9 \u4e2d.yaml"),
    ],
)
def test_printable_escapes_what_a_terminal_would_act_on(value: str | bytes, shown: str) -> None:
    assert printable(value) == shown


def test_valid_text_keeps_control_characters_for_json_but_never_lone_surrogates() -> None:
    assert valid_text("a\x1bb\n") == "a\x1bb\n"
    assert valid_text(os.fsdecode(b"x\xff")) == "x\\xff"
    assert valid_text("lone \ud800 surrogate").encode("utf-8")


def test_long_names_are_shortened_in_the_middle() -> None:
    name = "a" * 100 + "MIDDLE" + "z" * 100
    short = shortened(name)
    assert len(short) <= 160 and short.startswith("aaa") and short.endswith("zzz") and "\u2026" in short
    assert shortened("short") == "short"
