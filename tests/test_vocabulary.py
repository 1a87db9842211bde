"""Shared words: the clues that let the glossary rules skip a pattern search never skip a match."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from immunopipe.validate.vocabulary import MEDICAL_TERMS, clue_position, may_hold, term_clues, term_pattern

#: Glossary entries that are not listed terms: their pattern is the word itself (and its plural).
UNLISTED = ("interferon", "Hello World", "x-ray", "café", "\u017fystemic")

#: Forms of the terms in any case, and near misses.
FORMS = ("T Cells", "t-cell", "tcell", "B-CELL", "stem cells", "Stem-Cell", "DMARDs", "disease-modifying")
MORE_FORMS = ("anti-rheumatic drug", "antirheumatic drugs", "JAK Inhibitors", "janus kinase inhibitor", "TNF")
LONG_FORMS = ("tumor necrosis factor", "Tumour Necrosis Factors", "chronically", "inflammatory", "immunosuppressive")
OTHER_FORMS = (
    "Chronic",
    "pancreatic",
    "proliferating",
    "antibodies",
    "autoimmunity",
    "mTOR",
    "dna",
    "biologics",
    "biological",
)
DMARDS = ("disease-modifying anti-rheumatic drugs", "Disease-Modifying Antirheumatic Drug")
UNLISTED_FORMS = ("Interferons", "interferon", "hello world", "X-Rays", "caf\u00e9s")
#: Characters that match ASCII letters when case is ignored: long s, dotless i, Kelvin sign.
FOLDS = ("\u017ftem cells", "\u017fystemic", "chron\u0131c", "\u212aelvin")
FRAGMENTS = ("a", "t", "b", "cell", "s", "'", "\u2019")
PIECES = (*FORMS, *MORE_FORMS, *DMARDS, *LONG_FORMS, *OTHER_FORMS, *UNLISTED_FORMS, *FOLDS, *FRAGMENTS)
SEPARATORS = st.sampled_from([" ", " ", "", "-", ".\n"])
TEXTS = st.lists(st.tuples(st.sampled_from(PIECES), SEPARATORS), max_size=10).map(
    lambda pairs: "".join(piece + separator for piece, separator in pairs)
)


def test_every_listed_term_has_clues_string_methods_can_find() -> None:
    for term in MEDICAL_TERMS:
        clues = term_clues(term)
        assert clues and all(clue and clue.isascii() and clue == clue.lower() for clue in clues), term
    assert term_clues("T-cell") == ("t-cell", "t cell")
    assert term_clues("TNF") == ("tnf", "tumo")  # "tumou?r": the optional u ends the clue
    assert term_clues("interferon") == ("interferon",)


def test_terms_that_cannot_be_told_by_ascii_clues_are_always_searched() -> None:
    assert term_clues("\u017fystemic") == ("",)  # ignoring case, the long s matches s in any text
    assert may_hold("any text at all", list(term_clues("caf\u00e9")))
    assert clue_position("any text", term_clues("caf\u00e9")) == 0


def assert_clues_hold(text: str) -> None:
    """Every term's clues admit each text its pattern matches, and a search from them finds the first match."""
    for term in (*MEDICAL_TERMS, *UNLISTED):
        pattern, clues = term_pattern(term), term_clues(term)
        first = pattern.search(text)
        if first:
            assert may_hold(text, list(clues)), (term, text)
        if text.isascii():
            start = clue_position(text.lower(), clues)
            from_clue = pattern.search(text, start) if start is not None else None
            assert (from_clue and from_clue.span()) == (first and first.span()), (term, text)


def test_clues_hold_for_every_form() -> None:
    for piece in PIECES:
        assert_clues_hold(piece)
        assert_clues_hold(f"The {piece} and {piece.upper()}.")


@given(TEXTS)
def test_clues_never_hide_a_match(text: str) -> None:
    assert_clues_hold(text)


def test_text_that_is_not_ascii_is_always_searched() -> None:
    assert may_hold("\u017ftem cells", [])
    assert re.search(term_pattern("stem cell"), "\u017ftem cells")
    assert not may_hold("plain words only", ["stem cell"])
