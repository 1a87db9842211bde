"""The language a handout is printed in: its labels, CLDR locale, script and the translation's status line.

English (:data:`ENGLISH`) is the source's language, with the labels of
:mod:`immunopipe.translation.labels`. A translation's handout (:func:`handout_language`) takes
its labels from the translation, its typefaces from its script, and states in the reader's
language how it was translated and checked. Dates and numbers are written as the locale writes
them (Unicode CLDR, through Babel): month names, and Arabic-Indic digits in Arabic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from immunopipe.model import parse_date
from immunopipe.translation.labels import LABELS, fill
from immunopipe.translation.scripts import LATIN, Script

if TYPE_CHECKING:
    from immunopipe.translation.model import Translation


@dataclass(frozen=True)
class HandoutLanguage:
    """The language a handout is printed in: its labels, CLDR locale, script (typefaces) and status line."""

    locale: str
    labels: Mapping[str, str]
    script: Script
    #: How the translation was made and checked, in its own language (empty for the English source).
    status: str = ""


ENGLISH = HandoutLanguage("en", LABELS, LATIN)


def local_date(day: date, length: str, locale: str) -> str:
    """``day`` as ``locale`` writes it (``length`` ``long`` or ``medium``), month names and numerals included."""
    from babel.dates import format_date

    return format_date(day, length, locale=locale.replace("-", "_"))


def local_number(value: int, locale: str) -> str:
    """``value`` in the digits ``locale`` writes numbers with."""
    if locale == "en":
        return str(value)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale.replace("-", "_"))


def handout_language(translation: Translation) -> HandoutLanguage:
    """How ``translation`` is printed: its labels, locale, script and its status in its own words."""
    from immunopipe.translation.facts import label_texts
    from immunopipe.translation.scripts import script_for

    labels = {**LABELS, **label_texts(translation.texts)}
    locale = translation.language

    def when(value: str) -> str:
        day = parse_date(value)
        return labels["date-not-known"] if day is None else local_date(day, "long", locale)

    status = translation.status
    made = status["translated_by"]
    if status["method"] == "professional" and isinstance(made, dict):
        lines = [fill(labels["translation-professional"], name=made["name"], date=when(made["date"]))]
    else:
        lines = [labels["translation-machine-assisted"]]
    checked = status["checked_by"]
    if isinstance(checked, dict):
        lines.append(fill(labels["translation-checked"], name=checked["name"], date=when(checked["date"])))
    else:
        lines.append(labels["translation-not-checked"])
    return HandoutLanguage(locale, labels, script_for(locale), " ".join(lines))
