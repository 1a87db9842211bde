"""Every glossary term is used in the article (a warning otherwise).

A glossary entry whose term appears nowhere in the text readers see (apart from its own
definition) is probably left over from an edit. Forms count as for ``glossary-term``: an entry
``T-cell`` is used by ``T cells``.

Passes::

    mechanism: Interfere with T-cell activation.
    glossary:
      - {term: T-cell, definition: A white blood cell that helps the body fight germs.}

Fails (warning: interferon is not in the text)::

    mechanism: Interfere with T-cell activation.
    glossary:
      - {term: interferon, definition: A protein cells make to fight viruses.}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import reader_text
from immunopipe.validate.vocabulary import clue_position, listed_terms, term_clues, term_pattern

ID = "glossary-unused"
SEVERITY = Severity.WARNING
SUMMARY = "Every glossary term is used in the article."
STANDARD = "PEMAT-P (medical terms are defined); immunopipe conventions"


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    texts = reader_text(article)
    # Most terms appear in the body: one search of the body text settles them.
    body = "\n".join(item.text for item in texts if not item.pointer.startswith("/glossary/"))
    lowered = body.lower() if body.isascii() else None  # where string methods can look first
    for index, entry in enumerate(article.get("glossary", [])):
        term = entry["term"].strip()
        known = listed_terms(term)
        name = known[0] if known else term
        pattern = term_pattern(name)
        own = f"/glossary/{index}/definition"
        start = 0 if lowered is None else clue_position(lowered, term_clues(name))
        if start is not None and pattern.search(body, start):
            continue
        definitions = (item.text for item in texts if item.pointer.startswith("/glossary/") and item.pointer != own)
        if not any(pattern.search(text) for text in definitions):
            yield Finding(
                f"/glossary/{index}/term",
                f"glossary term '{term}' is not used in the article: remove it or check its spelling",
            )
