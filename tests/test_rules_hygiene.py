"""Text hygiene: invisible characters, mixed scripts, spacing, empty text and placeholders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.validate import validate_files
from immunopipe.validate.context import RuleContext
from immunopipe.validate.text import reader_text, strings

TODAY = RuleContext(today=date(2026, 12, 1))
TACROLIMUS = "        name: tacrolimus\n"
SUMMARY_START = "  Immune system medicine, often involving"
MECHANISM = "    mechanism: Suppress T-cell and B-cell proliferation.\n"

# (rule, old text, new text, marker on the line the finding must be reported on)
FAILING = [
    ("text-invisible-character", TACROLIMUS, '        name: "tacro\\u200blimus"\n', 'name: "tacro'),
    ("text-invisible-character", TACROLIMUS, '        name: "\\u202etacrolimus"\n', 'name: "\\u202e'),
    ("text-invisible-character", TACROLIMUS, '        name: "tacro\\u00adlimus"\n', 'name: "tacro'),
    # In an article otherwise all ASCII: the rules' one look over all of its text must not miss it.
    ("text-invisible-character", TACROLIMUS, '        name: "tacro\\x07limus"\n', 'name: "tacro'),
    ("text-spacing", TACROLIMUS, '        name: " tacrolimus"\n', 'name: " tacrolimus'),
    ("text-mixed-script", TACROLIMUS, '        name: "tacr\\u043elimus"\n', 'name: "tacr'),
    ("text-mixed-script", "category: Immunosuppression", 'category: "Imm\\u03bfnosuppression"', "category:"),
    ("text-spacing", SUMMARY_START, "  Immune system medicine,  often involving", "summary: >-"),
    ("text-spacing", TACROLIMUS, '        name: "tacrolimus "\n', 'name: "tacrolimus "'),
    ("text-spacing", TACROLIMUS, '        name: "tacro\\tlimus"\n', 'name: "tacro'),
    ("text-empty", TACROLIMUS, '        name: "   "\n', 'name: "   "'),
    ("text-placeholder", "title: What is immune system medicine used for?", "title: TODO write the title", "title:"),
    ("text-placeholder", MECHANISM, "    mechanism: Lorem ipsum dolor sit amet.\n", "mechanism: Lorem"),
    ("text-placeholder", MECHANISM, "    mechanism: Suppress [insert cell type] proliferation.\n", "Suppress [insert"),
    ("text-placeholder", MECHANISM, "    mechanism: Suppress ??? proliferation.\n", "Suppress ???"),
    ("text-glyph-missing", TACROLIMUS, '        name: "tacrolimus \u514d\u75ab"\n', 'name: "tacrolimus'),
    ("text-glyph-missing", TACROLIMUS, '        name: "tacrolimus \U0001f48a"\n', 'name: "tacrolimus'),
    ("text-glyph-missing", TACROLIMUS, '        name: "TNF-\u03b1 blocker"\n', 'name: "TNF'),
    ("text-glyph-missing", "category: Immunosuppression", 'category: "\u0418\u043c\u043c\u0443\u043d"', "category:"),
]

PASSING = [
    ("text-mixed-script", MECHANISM, '    mechanism: "Block TNF-\\u03b1 and IL-1\\u03b2."\n'),
    (
        "text-mixed-script",
        MECHANISM,
        '    mechanism: "\\u0411\\u043b\\u043e\\u043a\\u0438\\u0440\\u0443\\u044e\\u0442."\n',
    ),
    ("text-placeholder", MECHANISM, "    mechanism: Suppress T-cell and B-cell proliferation (to-do lists help).\n"),
    ("text-invisible-character", MECHANISM, "    mechanism: |-\n      Suppress T-cell\n      and B-cell growth.\n"),
    # Accented Latin letters, typographic quotes and dashes, non-breaking and thin spaces print.
    (
        "text-glyph-missing",
        MECHANISM,
        '    mechanism: "Na\u00efve \u2018T\u2019 cells \u2013 see \u00a7 2\u2009mg, \u00b5g."\n',
    ),
]


def findings(write_article: Callable[..., Path], text: str, rule: str) -> list[tuple[Severity, int]]:
    outcome = validate_files([write_article(text)], context=TODAY)
    return [(d.severity, d.line) for d in outcome.diagnostics if d.rule == rule]


def line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize("rule", sorted({case[0] for case in FAILING}))
def test_seed_passes(rule: str, write_article: Callable[..., Path], seed_text: str) -> None:
    assert findings(write_article, seed_text, rule) == []


@pytest.mark.parametrize(("rule", "old", "new", "marker"), FAILING, ids=[f"{c[0]}-{i}" for i, c in enumerate(FAILING)])
def test_failing_text(
    rule: str, old: str, new: str, marker: str, write_article: Callable[..., Path], seed_text: str
) -> None:
    assert old in seed_text
    text = seed_text.replace(old, new, 1)
    assert findings(write_article, text, rule) == [(Severity.ERROR, line_of(text, marker))]


@pytest.mark.parametrize(("rule", "old", "new"), PASSING, ids=[f"{c[0]}-{i}" for i, c in enumerate(PASSING)])
def test_passing_text(rule: str, old: str, new: str, write_article: Callable[..., Path], seed_text: str) -> None:
    assert old in seed_text
    assert findings(write_article, seed_text.replace(old, new, 1), rule) == []


def test_messages_name_the_character_and_the_script(write_article: Callable[..., Path], seed_text: str) -> None:
    text = seed_text.replace(TACROLIMUS, '        name: "\\u202etacr\\u043elimus\\u200b"\n', 1)
    outcome = validate_files([write_article(text)], context=TODAY)
    by_rule = {d.rule: d.message for d in outcome.diagnostics}
    assert by_rule["text-invisible-character"].startswith(
        "bidirectional control character U+202E RIGHT-TO-LEFT OVERRIDE at character 1 (and 1 more)"
    )
    assert by_rule["text-mixed-script"].startswith(
        "the word 'tacr\u043elimus' mixes Cyrillic and Latin letters: '\u043e' (Cyrillic) look like Latin letters"
    )


def test_glyph_message_names_every_missing_character_once(write_article: Callable[..., Path], seed_text: str) -> None:
    text = seed_text.replace(TACROLIMUS, '        name: "\u514d\u75ab \u514d \U0001f48a \u4e00\u4e8c\u4e09\u56db"\n', 1)
    outcome = validate_files([write_article(text)], context=TODAY)
    [message] = [d.message for d in outcome.diagnostics if d.rule == "text-glyph-missing"]
    assert message.startswith(
        "the handout typeface Atkinson Hyperlegible has no glyph for '\u514d' (U+514D CJK UNIFIED IDEOGRAPH-514D), "
        "'\u75ab' (U+75AB CJK UNIFIED IDEOGRAPH-75AB), '\U0001f48a' (U+1F48A PILL), "
    )
    assert " and 2 more: the PDF handout cannot print them;" in message


def test_strings_and_reader_text_walk_in_document_order() -> None:
    article = {
        "title": "T",
        "summary": "S",
        "editorial": {"attribution": "A", "funding": "F", "disclaimer": "D", "contact": {"text": "C"}},
        "uses": [{"title": "U", "description": "UD", "how_medicine_helps": "H", "conditions": []}],
        "medicine_classes": [{"name": "M", "mechanism": "MM", "examples": [{"name": "E", "codes": []}]}],
        "considerations": [{"text": "K"}],
        "glossary": [{"term": "G", "definition": "GD"}],
    }
    assert [(item.text, item.is_prose) for item in reader_text(article)] == [
        ("T", False),
        ("S", True),
        ("A", True),
        ("F", True),
        ("D", True),
        ("C", True),
        ("U", False),
        ("UD", True),
        ("H", True),
        ("M", False),
        ("MM", True),
        ("E", False),
        ("K", True),
        ("GD", True),
    ]
    assert ("/editorial/contact/text", "C") in list(strings(article))
    assert ("/glossary/0/term", "G") in list(strings(article))
