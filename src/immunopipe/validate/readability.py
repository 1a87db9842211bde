"""Readability scores for English text, computed offline.

Flesch-Kincaid grade = 0.39 x words/sentence + 11.8 x syllables/word - 15.59, and Flesch
Reading Ease = 206.835 - 1.015 x words/sentence - 84.6 x syllables/word.

Syllables: for each part of a hyphenated word, the larger of two counts: the hyphenation points
of the ``en_US`` dictionary shipped with ``pyphen`` (plus one), and the number of vowel groups
corrected for silent endings (``-e``, ``-es``, ``-ed``, ``-eful``, ``-ement``, ...). Hyphenation
alone undercounts short and long words (it never splits next to a word's edges: ``body`` gives 1,
``immunosuppressant`` 5); vowel groups miss split vowels (``reaction``). On the 178 distinct words
of the seed article, counted by hand, pyphen alone was right for 159, vowel groups for 172 and the
larger of the two for 176 (``textstat`` 0.7.8: 167). Short all-capital words are spelt out
(``DNA`` is 3 syllables) and a number counts one syllable per digit.

Sentences end at ``.``, ``!`` or ``?`` followed by a space or the end of the text; a text
without a final full stop still counts as one sentence. ``e.g.``, ``i.e.``, ``vs.`` and titles
such as ``Dr.`` do not end sentences.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import pyphen

WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|vs|Dr|Mr|Mrs|Ms|Prof|St)\.", re.IGNORECASE)
#: What every :data:`_ABBREVIATION` ends with (its last three characters); led by the full stop,
#: so the search jumps from one full stop to the next instead of trying each abbreviation everywhere.
_ABBREVIATION_END = re.compile(r"\.(?<=(?:\.[ge]|vs|[dm]r|[mr]s|of|st)\.)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_SILENT_ENDING = re.compile(
    r"(?:[^aeiouy]e"  # care, medicine (but not table: see _SOUNDED_LE)
    r"|[^aeiouysxzcg](?<!ch)(?<!sh)es"  # makes, lives (but not causes, places, matches)
    r"|[^aeiouytd]ed"  # based, published (but not transplanted, needed)
    r"|[^aeiouy]e(?:ful|fully|ment|ments|ly|less|ness)"  # careful, management, safely
    r")$"
)
_SOUNDED_LE = re.compile(r"[^aeiouy]le$")


@dataclass(frozen=True)
class Scores:
    """Counts for a text and the Flesch scores they give; add two to score them together."""

    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level (US school grade; UK reading age is roughly grade + 5)."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59

    @property
    def reading_ease(self) -> float:
        """Flesch Reading Ease: 100 is very easy, 60-70 plain English, below 30 very hard."""
        if not self.words:
            return 100.0
        return 206.835 - 1.015 * self.words / self.sentences - 84.6 * self.syllables / self.words

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
        )


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def _plain_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _vowel_groups(part: str) -> int:
    count = len(_VOWEL_GROUP.findall(part))
    if _SILENT_ENDING.search(part) and not _SOUNDED_LE.search(part):
        count -= 1
    return max(count, 1)


def _part_syllables(part: str) -> int:
    if part.isdigit():
        return len(part)
    if part.isupper() and 2 <= len(part) <= 4:
        return sum(3 if letter == "W" else 1 for letter in part)
    plain = _plain_letters(part)
    return max(len(_dictionary().positions(plain)) + 1, _vowel_groups(plain))


@lru_cache(maxsize=1 << 16)
def syllables(word: str) -> int:
    """The number of syllables in one word (see the module notes for the method; memoised)."""
    word = _POSSESSIVE.sub("", word)
    return sum(_part_syllables(part) for part in word.split("-") if part) or 1


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, joined by apostrophes or hyphens)."""
    return WORD.findall(text)


def sentence_count(text: str) -> int:
    """The number of sentences in ``text`` (at least one when it has any words)."""
    if _ABBREVIATION_END.search(text):
        text = _ABBREVIATION.sub("", text)
    parts = _SENTENCE_END.split(text)
    return sum(1 for part in parts if WORD.search(part))


def score(text: str, found: list[str] | None = None) -> Scores:
    """Word, sentence and syllable counts of ``text`` (whose :func:`words` may be given as ``found``)."""
    found = words(text) if found is None else found
    return Scores(len(found), sentence_count(text), sum(map(syllables, found)))


def hardest_words(text: str, count: int = 3, *, found: list[str] | None = None) -> list[str]:
    """Up to ``count`` distinct words of three or more syllables, the longest first (``found``: see :func:`score`)."""
    ranked: dict[str, tuple[str, int]] = {}
    for word in dict.fromkeys(words(text) if found is None else found):  # each spelling once, in order
        key = word.casefold()
        if key not in ranked:
            ranked[key] = (word, syllables(word))
    long_words = sorted((pair for pair in ranked.values() if pair[1] >= 3), key=lambda pair: -pair[1])
    return [word for word, _ in long_words[:count]]
