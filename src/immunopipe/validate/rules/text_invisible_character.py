"""No text holds invisible or bidirectional control characters.

Bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C) can make text show
in another order than it is stored (the "Trojan Source" attack); zero-width characters (U+200B,
U+200C, U+200D, U+2060, U+FEFF), soft hyphens, other format and control characters, and blank
lookalike letters (U+3164 Hangul filler, U+2800 Braille blank, variation selectors) hide inside
words, so a name no longer matches itself or a search. Every string of the article is checked;
line breaks and tabs are left to ``text-spacing``.

Passes::

    name: tacrolimus

Fails (a zero-width space inside the name, written as a YAML escape)::

    name: "tacro\\u200blimus"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings

ID = "text-invisible-character"
SEVERITY = Severity.ERROR
SUMMARY = "No invisible, zero-width or bidirectional control characters (Trojan Source) in any text."
STANDARD = "Unicode Technical Report #36 and CVE-2021-42574 (Trojan Source); immunopipe text hygiene"

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")
ALLOWED_CONTROLS = frozenset("\n\t")


def is_invisible(character: str) -> bool:
    """True for characters that render as nothing (or reorder text) but are not spaces."""
    if character in ALLOWED_CONTROLS:
        return False
    code = ord(character)
    return (
        unicodedata.category(character) in ("Cf", "Cc", "Co", "Zl", "Zp")
        or character in BLANK_LOOKALIKES
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def describe(character: str) -> str:
    """``U+200B ZERO WIDTH SPACE``."""
    return f"U+{ord(character):04X} {unicodedata.name(character, 'unnamed character')}"


#: In ASCII text only control characters can be invisible: a fast first look.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    texts = strings(article)
    everything = "\n".join(text for _pointer, text in texts)  # a line break is allowed: it adds nothing to find
    if everything.isascii() and not _ASCII_CONTROL.search(everything):
        return
    for pointer, text in texts:
        if text.isascii() and not _ASCII_CONTROL.search(text):
            continue
        hidden = [(index, ch) for index, ch in enumerate(text) if is_invisible(ch)]
        if not hidden:
            continue
        index, character = hidden[0]
        kind = "bidirectional control character" if character in BIDI_CONTROLS else "invisible character"
        more = f" (and {len(hidden) - 1} more)" if len(hidden) > 1 else ""
        yield Finding(
            pointer,
            f"{kind} {describe(character)} at character {index + 1}{more}: it can make the text show or "
            "match differently from what is stored; delete it",
        )
