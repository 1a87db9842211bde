"""Words several rules share, kept here so that no rule imports another."""

from __future__ import annotations

import re
from functools import cache, lru_cache

#: Text still to be written: ``TODO`` and friends, ``lorem ipsum``, ``[insert ...]`` prompts, ``???``.
PLACEHOLDER = re.compile(
    r"\b(?:TODO|TBD|TBC|FIXME|XXX)\b"
    r"|(?i:\blorem ipsum\b)"
    r"|(?i:\[\s*(?:insert|add|enter|placeholder)\b[^\]]*\])"
    r"|\?{3,}"
)

#: Text :data:`PLACEHOLDER` can match holds one of these (``orem`` after lowercasing, for lorem ipsum).
_PLACEHOLDER_CLUES = ("TODO", "TBD", "TBC", "FIXME", "XXX", "???", "[")


def holds_placeholder(text: str) -> bool:
    """Whether :data:`PLACEHOLDER` matches ``text``, after a quick look for what it needs."""
    may_hold = any(clue in text for clue in _PLACEHOLDER_CLUES) or "orem" in text.lower()
    return may_hold and PLACEHOLDER.search(text) is not None


#: Names that name nobody (compared after ``strip().casefold()``), for publishers and sources.
NOT_A_NAME = frozenset({"unknown", "n/a", "na", "none", "not known", "anonymous"})

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
def all_terms() -> re.Pattern[str]:
    """One pattern finding every listed term in a single pass; group ``n`` is the ``n``-th term."""
    return _whole_words(list(MEDICAL_TERMS.values()), capture=True)


@lru_cache(maxsize=4096)
def listed_terms(entry: str) -> tuple[str, ...]:
    """The listed medical terms that glossary entry ``entry`` (stripped) is a form of, in list order."""
    return tuple(term for term in MEDICAL_TERMS if term_pattern(term).fullmatch(entry))
