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

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import reader_text
from immunopipe.validate.vocabulary import MEDICAL_TERMS, all_terms, listed_terms, may_hold, term_clues

ID = "glossary-term"
SEVERITY = Severity.WARNING
SUMMARY = "Medical terms used in the text are explained in the article's glossary."
STANDARD = "PEMAT-P (medical terms are defined); NHS Standard and PIF TICK (plain language)"


def explained_terms(article: dict[str, Any]) -> set[str]:
    """The listed medical terms the glossary explains (an entry may use any form of a term)."""
    return {term for entry in article.get("glossary", []) for term in listed_terms(entry["term"].strip())}


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    explained = explained_terms(article)
    names = list(MEDICAL_TERMS)
    texts = reader_text(article)
    # Only unexplained terms are reported: a text that cannot hold one needs no search.
    everything = "\n".join(item.text for item in texts).lower()
    clues = [clue for term in names if term not in explained for clue in term_clues(term) if clue in everything]
    uses: dict[str, list[str]] = {}
    for item in texts:
        if not may_hold(item.text, clues):
            continue
        found = {names[match.lastindex - 1] for match in all_terms().finditer(item.text) if match.lastindex}
        for term in sorted(found - explained, key=names.index):
            uses.setdefault(term, []).append(item.pointer)
    for term, pointers in uses.items():
        times = f" (in {len(pointers)} places)" if len(pointers) > 1 else ""
        yield Finding(
            pointers[0],
            f"'{term}' is a medical term{times}: explain it in plain words in the glossary "
            f"(glossary: - term: {term}, definition: ...)",
        )
