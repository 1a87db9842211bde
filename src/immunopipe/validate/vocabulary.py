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
    may_hold = any(map(text.__contains__, _PLACEHOLDER_CLUES)) or "orem" in text.lower()
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


#: Pattern syntax after a character or ``[...]`` that makes it optional or repeated.
_QUANTIFIERS = ("?", "*", "+", "{")
#: Characters that stand for themselves in a form (and in a ``[...]`` of a form, but for ranges).
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz -")


def _top_level_alternatives(form: str) -> list[str]:
    """``form`` split at each ``|`` outside parentheses and ``[...]`` (escaped characters skipped)."""
    alternatives, depth, start, index = [], 0, 0, 0
    while index < len(form):
        character = form[index]
        if character == "\\":
            index += 1
        elif character == "[":
            index = form.find("]", index + 2)  # a "]" right after "[" is a member
            if index < 0:
                break
        elif character in "()":
            depth += 1 if character == "(" else -1
        elif character == "|" and depth == 0:
            alternatives.append(form[start:index])
            start = index + 1
        index += 1
    return [*alternatives, form[start:]]


def _leading_texts(alternative: str) -> list[str]:
    """The texts a match of ``alternative`` (one of a form's top-level alternatives) starts with.

    Read up to the first syntax other than plain characters and ``[...]`` sets of them (a set
    gives one text per member); a character or set followed by a quantifier ends the reading
    before it.
    """
    texts, index = [""], 0
    while index < len(alternative):
        if alternative[index] == "[":
            end = alternative.find("]", index)
            members = alternative[index + 1 : end] if end > 0 else ""
            if "-" in members[1:-1]:  # a range
                break
        else:
            end, members = index, alternative[index]
        if not members or not set(members) <= _PLAIN or alternative[end + 1 : end + 2] in _QUANTIFIERS:
            break
        texts = [text + member for text in texts for member in members]
        index = end + 1
    return texts


@cache
def term_clues(term: str) -> tuple[str, ...]:
    """Lowercase texts, one of which every match of :func:`term_pattern` ``(term)`` in ASCII text
    starts with once lowercased (``("",)``, held by every text, when that cannot be told).

    Lowercased ASCII text holding none of them holds no match, and the first one found is where a
    search can start: string methods find both far faster than the pattern. Only ASCII text counts:
    ignoring case, the pattern's ``s`` also matches the long s (U+017F) and its ``k`` the Kelvin sign.
    """
    if term in MEDICAL_TERMS:
        clues = [text for form in _top_level_alternatives(MEDICAL_TERMS[term]) for text in _leading_texts(form)]
    else:
        clues = [term.lower()]
    return tuple(clues) if all(clue.isascii() for clue in clues) else ("",)


def may_hold(text: str, clues: list[str]) -> bool:
    """False only when ``text`` is ASCII and holds none of ``clues`` (of :func:`term_clues`) once lowercased."""
    if not text.isascii():
        return True
    if not clues:
        return False
    lowered = text.lower()
    return any(clue in lowered for clue in clues)


def clue_position(lowered: str, clues: tuple[str, ...]) -> int | None:
    """Where the first of ``clues`` (of :func:`term_clues`) is in ``lowered``, an ASCII text lowercased:
    no match of their term starts earlier. ``None`` when it holds none, so no match at all."""
    found = [index for index in (lowered.find(clue) for clue in clues) if index >= 0]
    return min(found) if found else None


@cache
def all_terms() -> re.Pattern[str]:
    """One pattern finding every listed term in a single pass; group ``n`` is the ``n``-th term."""
    return _whole_words(list(MEDICAL_TERMS.values()), capture=True)


@lru_cache(maxsize=4096)
def listed_terms(entry: str) -> tuple[str, ...]:
    """The listed medical terms that glossary entry ``entry`` (stripped) is a form of, in list order."""
    return tuple(term for term in MEDICAL_TERMS if term_pattern(term).fullmatch(entry))
