"""Plain language: medical terms are explained in the glossary, and glossary terms are used."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from immunopipe.diagnostics import Severity
from immunopipe.validate import validate_files
from immunopipe.validate.context import RuleContext
from immunopipe.validate.rules import RULES
from immunopipe.validate.vocabulary import MEDICAL_TERMS, term_pattern

TODAY = RuleContext(today=date(2026, 12, 1))
CALCINEURIN_ENTRY = (
    "  - term: calcineurin\n    definition: A protein that helps switch on T-cells.\n    wording: editorial\n"
)


def findings(write_article: Callable[..., Path], text: str, rule: str) -> list[tuple[Severity, int, str]]:
    outcome = validate_files([write_article(text)], context=TODAY)
    return [(d.severity, d.line, d.message) for d in outcome.diagnostics if d.rule == rule]


def line_of(text: str, marker: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if marker in line)


def test_term_without_glossary_entry_warns_at_its_first_use(write_article: Callable[..., Path], seed_text: str) -> None:
    assert findings(write_article, seed_text, "glossary-term") == []
    assert CALCINEURIN_ENTRY in seed_text
    text = seed_text.replace(CALCINEURIN_ENTRY, "")
    assert findings(write_article, text, "glossary-term") == [
        (
            Severity.WARNING,
            line_of(text, "name: Calcineurin inhibitors"),
            "'calcineurin' is a medical term: explain it in plain words in the glossary "
            "(glossary: - term: calcineurin, definition: ...)",
        )
    ]


def test_article_without_glossary_lists_every_term_once(write_article: Callable[..., Path], seed_text: str) -> None:
    text = seed_text[: seed_text.index("\nglossary:\n")] + "\n"
    terms = [message.split("'")[1] for _, _, message in findings(write_article, text, "glossary-term")]
    assert len(terms) == len(set(terms)) == 20
    assert {"immunosuppressant", "calcineurin", "T-cell", "B-cell", "cytokine", "TNF", "mTOR"} <= set(terms)


def test_unused_glossary_term_warns(write_article: Callable[..., Path], seed_text: str) -> None:
    assert findings(write_article, seed_text, "glossary-unused") == []
    text = seed_text + "  - term: interferon\n    definition: A protein cells make to fight viruses.\n"
    assert [(s, line) for s, line, _ in findings(write_article, text, "glossary-unused")] == [
        (Severity.WARNING, line_of(text, "term: interferon"))
    ]


def test_a_term_used_only_in_its_own_definition_is_unused(write_article: Callable[..., Path], seed_text: str) -> None:
    text = seed_text + "  - term: antigen\n    definition: An antigen is what the immune system reacts to.\n"
    assert len(findings(write_article, text, "glossary-unused")) == 1


@pytest.mark.parametrize(
    ("term", "entry", "text"),
    [
        ("T-cell", "T cells", "Interfere with T-cell activation."),
        ("inflammation", "Inflammation", "A chronic inflammatory disorder."),
        ("immunosuppressant", "immunosuppressants", "immunosuppression"),
        ("TNF", "tumour necrosis factor", "TNF inhibitors"),
    ],
)
def test_term_forms_match(term: str, entry: str, text: str) -> None:
    assert term_pattern(term).fullmatch(entry)
    assert term_pattern(term).search(text)


def test_terms_do_not_match_inside_other_words() -> None:
    assert not term_pattern("DNA").search("Sidnay")
    assert not term_pattern("biologic").search("biological")
    assert not term_pattern("T-cell").search("at cellular level")


def test_the_rule_documents_every_term() -> None:
    listed = re.sub(r"\s+", " ", RULES["glossary-term"].doc)
    for term in MEDICAL_TERMS:
        assert f" {term}," in listed or f" {term}." in listed, term


def test_terms_spelt_with_letters_that_match_ascii_ones_are_still_found(
    write_article: Callable[..., Path], seed_text: str
) -> None:
    # Ignoring case, the dotless i matches i: the rule's quick look at ASCII text must not skip this.
    text = seed_text.replace(CALCINEURIN_ENTRY, "").replace("Calcineurin", "Calc\u0131neurin")
    assert [(s, line) for s, line, _ in findings(write_article, text, "glossary-term")] == [
        (Severity.WARNING, line_of(text, "name: Calc\u0131neurin inhibitors"))
    ]


def test_a_glossary_term_used_only_in_such_letters_is_used(write_article: Callable[..., Path], seed_text: str) -> None:
    entry = "  - term: interferon\n    definition: A protein cells make to fight viruses.\n"
    used = seed_text.replace("organ rejection", "organ rejection and \u0131nterferons", 1) + entry
    assert findings(write_article, used, "glossary-unused") == []
    unused = seed_text.replace("organ rejection", "organ rejection and interfering", 1) + entry
    assert [line for _, line, _ in findings(write_article, unused, "glossary-unused")] == [
        line_of(unused, "interferon")
    ]


def test_a_term_found_late_in_plain_text_counts(write_article: Callable[..., Path], seed_text: str) -> None:
    entry = "  - term: Interferon\n    definition: A protein cells make to fight viruses.\n"
    text = seed_text.replace("Talk to your care team", "Talk to your INTERFERON team", 1) + entry
    assert findings(write_article, text, "glossary-unused") == []
