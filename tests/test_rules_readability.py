"""Readability: syllable counts, Flesch scores (golden values), and the readability-grade rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.validate import validate_files
from immunopipe.validate.context import RuleContext
from immunopipe.validate.readability import Scores, hardest_words, score, sentence_count, syllables
from immunopipe.validate.rules.readability_grade import MAX_GRADE

TODAY = date(2026, 12, 1)
HARD_MECHANISM = "Interfere with DNA synthesis and cell proliferation, impacting immune cell function."

# Counted by hand; pyphen alone gets the starred ones wrong (it never splits near a word's edges).
SYLLABLES = {
    "a": 1,
    "the": 1,
    "care": 1,
    "based": 1,
    "body": 2,  # *
    "healthy": 2,  # *
    "medicine": 3,  # *
    "systemic": 3,  # *
    "cytokines": 3,  # *
    "diseases": 3,  # *
    "article": 3,
    "careful": 2,
    "management": 3,
    "transplanted": 3,
    "causes": 2,
    "tissues": 2,
    "reaction": 3,
    "various": 3,
    "specifically": 5,  # *
    "immunosuppressant": 6,  # *
    "inflammatory": 5,
    "proliferation": 5,
    "insulin-producing": 6,
    "body's": 2,
    "recipient's": 4,
    "DNA": 3,
    "TNF": 3,
    "1": 1,
}


@pytest.mark.parametrize(("word", "expected"), SYLLABLES.items())
def test_syllables(word: str, expected: int) -> None:
    assert syllables(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three?", 3),
        ("No full stop at the end", 1),
        ("Drugs, e.g. prednisone, help. Ask Dr. Smith.", 2),
        ("Version 1.5 is out.", 1),
        ("", 0),
    ],
)
def test_sentence_count(text: str, expected: int) -> None:
    assert sentence_count(text) == expected


# Golden values (pyphen's en_US dictionary): the seed article's texts and two plain ones.
GOLDEN = [
    (HARD_MECHANISM, 11, 1, 25, 15.5, 3.4),
    ("A disease affecting the brain and spinal cord.", 8, 1, 12, 5.2, 71.8),
    ("Suppress T-cell and B-cell proliferation.", 5, 1, 12, 14.7, -1.3),
    ("The code in each cell that tells it how to grow and work.", 13, 1, 13, 1.3, 109.0),
]


@pytest.mark.parametrize(("text", "words", "sentences", "syllable_count", "grade", "ease"), GOLDEN)
def test_scores_golden(text: str, words: int, sentences: int, syllable_count: int, grade: float, ease: float) -> None:
    scores = score(text)
    assert (scores.words, scores.sentences, scores.syllables) == (words, sentences, syllable_count)
    assert round(scores.grade, 1) == grade
    assert round(scores.reading_ease, 1) == ease


def test_scores_add_up_and_empty_text_scores_as_easy() -> None:
    assert score("One two. Three.") + score("Four five six.") == Scores(6, 3, 6)
    assert score("").grade == 0.0 and score("").reading_ease == 100.0


def test_hardest_words_keep_their_spelling_and_order() -> None:
    assert hardest_words(HARD_MECHANISM) == ["proliferation", "Interfere", "DNA"]
    assert hardest_words("A cat sat.") == []


def findings(write_article: Callable[..., Path], text: str, max_grade: float | None = None) -> list:
    options = {} if max_grade is None else {MAX_GRADE: max_grade}
    outcome = validate_files([write_article(text)], context=RuleContext(today=TODAY, options=options))
    return [(d.severity, d.line, d.message) for d in outcome.diagnostics if d.rule == "readability-grade"]


def line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if marker in line)


def test_readability_fails_a_hard_field_and_passes_a_plain_one(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    line = line_of(seed_text, "Interfere with DNA synthesis")
    failing = [(severity, at) for severity, at, _ in findings(write_article, seed_text) if at == line - 1]
    assert failing == [(Severity.WARNING, line - 1)]  # reported at the `mechanism: >-` line
    plain = seed_text.replace(f"      {HARD_MECHANISM}\n", "      They stop cells from growing.\n")
    assert [at for _, at, _ in findings(write_article, plain)].count(line - 1) == 0


def test_readability_message_gives_scores_and_hard_words(write_article: Callable[..., Path], seed_text: str) -> None:
    messages = [
        message for _, _, message in findings(write_article, seed_text) if "proliferation, Interfere" in message
    ]
    assert messages == [
        "reading grade 15.5 is above 8 (reading ease 3): use shorter sentences and everyday words; "
        "hardest words: proliferation, Interfere, DNA"
    ]


def test_max_grade_is_an_option(write_article: Callable[..., Path], seed_text: str) -> None:
    default = findings(write_article, seed_text)
    assert len(default) == 22
    assert len(findings(write_article, seed_text, max_grade=15)) == 5
    assert findings(write_article, seed_text, max_grade=20) == []


def test_only_english_articles_are_scored(write_article: Callable[..., Path], seed_text: str) -> None:
    assert findings(write_article, seed_text.replace("language: en\n", "language: en-GB\n"))
    assert findings(write_article, seed_text.replace("language: en\n", "language: de\n")) == []


def test_text_with_a_placeholder_is_not_scored(write_article: Callable[..., Path], seed_text: str) -> None:
    line = line_of(seed_text, "Interfere with DNA synthesis") - 1
    text = seed_text.replace(f"      {HARD_MECHANISM}\n", f"      TODO {HARD_MECHANISM}\n")
    assert line in [at for _, at, _ in findings(write_article, seed_text)]
    assert line not in [at for _, at, _ in findings(write_article, text)]
