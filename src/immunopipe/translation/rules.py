"""The translation checks: ids, default severities, what each checks and where the need comes from.

Kept apart from the checks themselves (:mod:`immunopipe.translation.check`) so that listing the
rules and reading the settings load nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from immunopipe.diagnostics import Severity

#: A translation file may be at most this many times the size of its source article.
MAX_SIZE_RATIO = 100

#: INFLESZ: Spanish prose scoring below this reads "somewhat difficult" or worse.
INFLESZ_NORMAL = 55.0


@dataclass(frozen=True)
class TranslationRule:
    """A translation check: id, default severity, what it checks and where the need comes from."""

    id: str
    severity: Severity
    summary: str
    standard: str


_ERROR, _WARNING = Severity.ERROR, Severity.WARNING
_FACTS = "immunopipe translations: every fact of the source, checked against the wording it was translated from"

TRANSLATION_RULES: dict[str, TranslationRule] = {
    rule.id: rule
    for rule in (
        TranslationRule(
            "translation-article", _ERROR, "A translation names the article its file is named after.", _FACTS
        ),
        TranslationRule(
            "translation-language",
            _ERROR,
            "A translation's language is a valid BCP 47 tag, the same as its folder, in a script with a typeface.",
            "BCP 47 (RFC 5646) language tags",
        ),
        TranslationRule("translation-source", _ERROR, "A translation's source article exists and is valid.", _FACTS),
        TranslationRule("translation-missing", _ERROR, "Every translatable fact of the source is translated.", _FACTS),
        TranslationRule(
            "translation-untranslated", _ERROR, "No fact is still marked untranslated (English text).", _FACTS
        ),
        TranslationRule(
            "translation-stale",
            _WARNING,
            "No translation was made from an older wording of its source fact (shows the old and new wording).",
            _FACTS,
        ),
        TranslationRule(
            "translation-fingerprint",
            _ERROR,
            "Each fingerprint is the fingerprint of the source text stored with it.",
            _FACTS,
        ),
        TranslationRule("translation-orphan", _ERROR, "No translation of a fact the source does not have.", _FACTS),
        TranslationRule(
            "translation-fixed-fact",
            _ERROR,
            "Ids, codes and dates are never translated: they come from the source.",
            _FACTS,
        ),
        TranslationRule(
            "translation-placeholder",
            _ERROR,
            "A translated label keeps exactly the placeholders of the English.",
            _FACTS,
        ),
        TranslationRule(
            "translation-bidi-control",
            _ERROR,
            "No bidirectional override, embedding or isolate characters, nor invisible ones, in translated text.",
            "Unicode Technical Report #36 and CVE-2021-42574 (Trojan Source)",
        ),
        TranslationRule(
            "translation-missing-glyph",
            _ERROR,
            "Every character of a translation has a glyph in its language's bundled typefaces.",
            "immunopipe handouts: no character prints as an empty box",
        ),
        TranslationRule(
            "translation-too-large",
            _ERROR,
            f"A translation file is at most {MAX_SIZE_RATIO}x the size of its source article.",
            "immunopipe resource limits",
        ),
        TranslationRule(
            "translation-readability",
            _WARNING,
            f"Spanish prose reads at least 'normal' ({INFLESZ_NORMAL:g}) on INFLESZ; other languages are not measured.",
            "Szigriszt Pazos 1993; Barrio-Cantalejo et al. 2008 (INFLESZ, validated for texts for patients)",
        ),
    )
}
