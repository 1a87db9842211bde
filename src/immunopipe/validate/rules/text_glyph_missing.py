"""Every character of the text has a glyph in the handout typeface, so no text is lost on paper.

The PDF handouts are set in the bundled typeface (Atkinson Hyperlegible, see
``immunopipe.fonts``). A character none of its files has, such as a Chinese character, an emoji
or a Greek letter, would be printed as an empty box or from whatever font the printing machine
happens to have, so the same handout would differ from machine to machine. The rule reads the
typeface's own character maps. Spaces, line breaks and invisible characters need no glyph (the
last are reported by ``text-invisible-character``). Every string of the article is checked.

Passes::

    name: TNF-alpha inhibitors

Fails (a Chinese character and an emoji the typeface does not have)::

    title: Immune system medicine 免疫 💊
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.fonts import FONT_FAMILY, handout_font_files, missing_characters
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings

ID = "text-glyph-missing"
SEVERITY = Severity.ERROR
SUMMARY = "Every character has a glyph in the handout typeface: nothing prints as an empty box."
STANDARD = "RNIB Clear Print (legible type); immunopipe: a handout prints all of its text"

#: Characters named in one message; the rest are counted.
NAMED = 5


def describe(character: str) -> str:
    """``'💊' (U+1F48A PILL)``."""
    return f"{character!r} (U+{ord(character):04X} {unicodedata.name(character, 'unnamed character')})"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    fonts = handout_font_files()
    texts = strings(article)
    # A character is missing wherever it appears: one look at all the text clears most articles.
    if not missing_characters(fonts, "".join(text for _pointer, text in texts)):
        return
    for pointer, text in texts:
        missing = missing_characters(fonts, text)
        if not missing:
            continue
        named = ", ".join(describe(character) for character in missing[:NAMED])
        more = f" and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
        yield Finding(
            pointer,
            f"the handout typeface {FONT_FAMILY} has no glyph for {named}{more}: the PDF handout cannot print "
            f"{'it' if len(missing) == 1 else 'them'}; write the text with letters it has (such as 'alpha' for "
            'the Greek letter), or switch this rule to "warning" if handouts may fall back to another font',
        )
