"""No word mixes Latin letters with Cyrillic or Greek lookalikes.

``paracetamol`` typed with a Cyrillic ``p`` (U+0440) and ``a`` (U+0430) looks the same but is
another string: searches, code look-ups and screen readers fail on it. A word (a run of letters)
that mixes the Latin, Cyrillic and Greek scripts is an error. A Greek letter standing alone as a
symbol is fine (in ``TNF-`` followed by alpha, U+03B1, the alpha is a word of its own), and so is
text written wholly in another script.

Passes::

    name: "TNF-\\u03b1 inhibitors"

Fails (a Cyrillic o, U+043E, in ``tacrolimus``)::

    name: "tacr\\u043elimus"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import strings

ID = "text-mixed-script"
SEVERITY = Severity.ERROR
SUMMARY = "No word mixes Latin letters with Cyrillic or Greek lookalikes."
STANDARD = "Unicode Technical Standard #39 (mixed-script confusables); immunopipe text hygiene"

CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
LETTERS = re.compile(r"[^\W\d_]+")


def script(letter: str) -> str:
    """The script a letter belongs to, from its Unicode name (``LATIN``, ``CYRILLIC``, ...)."""
    return unicodedata.name(letter, "UNKNOWN").split(" ")[0]


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    for pointer, text in strings(article):
        if text.isascii():
            continue  # every letter is Latin
        for match in LETTERS.finditer(text):
            word = match.group()
            scripts = {script(letter) for letter in word} & set(CONFUSABLE_SCRIPTS)
            if len(scripts) < 2:
                continue
            main = max(scripts, key=lambda name: sum(script(letter) == name for letter in word))
            odd = sorted({f"'{letter}' ({script(letter).title()})" for letter in word if script(letter) != main})
            yield Finding(
                pointer,
                f"the word '{word}' mixes {' and '.join(sorted(s.title() for s in scripts))} letters: "
                f"{', '.join(odd)} look like {main.title()} letters; retype the word",
            )
            break
