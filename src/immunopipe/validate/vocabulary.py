"""Words several rules share, kept here so that no rule imports another."""

from __future__ import annotations

import re
from functools import cache

#: Text still to be written: ``TODO`` and friends, ``lorem ipsum``, ``[insert ...]`` prompts, ``???``.
PLACEHOLDER = re.compile(
    r"\b(?:TODO|TBD|TBC|FIXME|XXX)\b"
    r"|(?i:\blorem ipsum\b)"
    r"|(?i:\[\s*(?:insert|add|enter|placeholder)\b[^\]]*\])"
    r"|\?{3,}"
)

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


@cache
def term_pattern(term: str) -> re.Pattern[str]:
    """The pattern that finds ``term`` in text: its listed forms, or the word itself (and plural)."""
    forms = MEDICAL_TERMS.get(term, re.escape(term) + r"s?")
    return re.compile(rf"\b(?:{forms})\b", re.IGNORECASE)
