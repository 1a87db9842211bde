"""Medical terms used in the text are explained in the article's glossary (a warning otherwise).

Every text readers see (title, headings, names, prose and the glossary's own definitions) is
searched, ignoring case, for the medical terms below, each with its common forms (plurals,
``inflammatory`` for inflammation, ``T cell`` for T-cell). A term that is used but has no
``glossary`` entry gets one warning, at its first use. The glossary is printed on the handout.

Terms: antibody, antigen, antimetabolite, autoimmune, B-cell, biologic, biosimilar, calcineurin,
chronic, corticosteroid, cytokine, DMARD, DNA, glucocorticoid, immunoglobulin,
immunosuppressant, inflammation, insulin, interleukin, JAK inhibitor, lymphocyte, mTOR,
pancreas, proliferation, stem cell, systemic, T-cell, TNF.

Passes::

    mechanism: Interfere with T-cell activation.
    glossary:
      - {term: T-cell, definition: A white blood cell that helps the body fight germs.}

Fails (warning: no glossary entry for T-cell)::

    mechanism: Interfere with T-cell activation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import reader_text

ID = "glossary-term"
SEVERITY = Severity.WARNING
SUMMARY = "Medical terms used in the text are explained in the article's glossary."
STANDARD = "PEMAT-P (medical terms are defined); NHS Standard and PIF TICK (plain language)"

#: Medical terms and the forms they take in text (regular expressions, matched ignoring case).
MEDICAL_TERMS: dict[str, str] = {
    "antibody": r"antibod(?:y|ies)",
    "antigen": r"antigens?",
    "antimetabolite": r"antimetabolites?",
    "autoimmune": r"autoimmun\w*",
    "B-cell": r"b[- ]cells?",
    "biologic": r"biologics?",
    "biosimilar": r"biosimilars?",
    "calcineurin": r"calcineurin",
    "chronic": r"chronic(?:ally)?",
    "corticosteroid": r"corticosteroids?",
    "cytokine": r"cytokines?",
    "DMARD": r"dmards?|disease-modifying anti-?rheumatic drugs?",
    "DNA": r"dna",
    "glucocorticoid": r"glucocorticoids?",
    "immunoglobulin": r"immunoglobulins?",
    "immunosuppressant": r"immunosuppress\w*",
    "inflammation": r"inflamm\w*",
    "insulin": r"insulin",
    "interleukin": r"interleukins?",
    "JAK inhibitor": r"jak inhibitors?|janus kinase inhibitors?",
    "lymphocyte": r"lymphocytes?",
    "mTOR": r"mtor",
    "pancreas": r"pancrea\w*",
    "proliferation": r"proliferat\w*",
    "stem cell": r"stem[- ]cells?",
    "systemic": r"systemic(?:ally)?",
    "T-cell": r"t[- ]cells?",
    "TNF": r"tnf|tumou?r necrosis factor",
}


def _whole_words(forms: list[str], *, capture: bool = False) -> re.Pattern[str]:
    """``\\b(?:form|form|...)\\b`` ignoring case (each form a group if ``capture``), led by a
    look-ahead for the letters the forms start with.

    The look-ahead changes no match (every form starts with one of those letters); it lets the
    search skip quickly past every other character instead of trying each form there.
    """
    firsts = {alternative[0].lower() for form in forms for alternative in form.split("|") if alternative}
    ahead = f"(?=[{''.join(sorted(firsts))}])" if all(first.isascii() and first.isalpha() for first in firsts) else ""
    body = "|".join(f"({form})" if capture else form for form in forms)
    return re.compile(rf"{ahead}\b(?:{body})\b", re.IGNORECASE)


@cache
def term_pattern(term: str) -> re.Pattern[str]:
    """The pattern that finds ``term`` in text: its listed forms, or the word itself (and plural)."""
    return _whole_words([MEDICAL_TERMS.get(term, re.escape(term) + r"s?")])


@cache
def _all_terms() -> re.Pattern[str]:
    """One pattern finding every listed term in a single pass; group ``n`` is the ``n``-th term."""
    return _whole_words(list(MEDICAL_TERMS.values()), capture=True)


@lru_cache(maxsize=4096)
def listed_terms(entry: str) -> tuple[str, ...]:
    """The listed medical terms that glossary entry ``entry`` (stripped) is a form of, in list order."""
    return tuple(term for term in MEDICAL_TERMS if term_pattern(term).fullmatch(entry))


def explained_terms(article: dict[str, Any]) -> set[str]:
    """The listed medical terms the glossary explains (an entry may use any form of a term)."""
    return {term for entry in article.get("glossary", []) for term in listed_terms(entry["term"].strip())}


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    explained = explained_terms(article)
    names = list(MEDICAL_TERMS)
    uses: dict[str, list[str]] = {}
    for item in reader_text(article):
        found = {names[match.lastindex - 1] for match in _all_terms().finditer(item.text) if match.lastindex}
        for term in sorted(found - explained, key=names.index):
            uses.setdefault(term, []).append(item.pointer)
    for term, pointers in uses.items():
        times = f" (in {len(pointers)} places)" if len(pointers) > 1 else ""
        yield Finding(
            pointers[0],
            f"'{term}' is a medical term{times}: explain it in plain words in the glossary "
            f"(glossary: - term: {term}, definition: ...)",
        )
