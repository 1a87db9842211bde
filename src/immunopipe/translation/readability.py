"""Readability of a translation, by a formula made for its language, or honestly not measured.

The Flesch-Kincaid grade is an English measure and is never applied to another language.

* Spanish: the Szigriszt-Pazos perspicuity index (F. Szigriszt Pazos, *Sistemas predictivos de
  legibilidad del mensaje escrito: fórmula de perspicuidad*, doctoral thesis, Universidad
  Complutense de Madrid, 1993), ``206.835 - 62.3 * syllables/words - words/sentences``, read on
  the INFLESZ scale validated for texts written for patients (I. Barrio-Cantalejo et al.,
  "Validación de la Escala INFLESZ para evaluar la legibilidad de los textos dirigidos a
  pacientes", *Anales del Sistema Sanitario de Navarra* 31(2): 135-152, 2008): below 40 very
  difficult, 40-55 somewhat difficult, 55-65 normal, 65-80 fairly easy, above 80 very easy.
  Syllables are counted from Spanish vowel nuclei (strong vowels a, e, o and accented í, ú
  start a new syllable; unaccented i, u join a neighbouring vowel as a diphthong).
* Arabic and Chinese: not measured. No formula for them is established and citable in the way
  Flesch's is for English or INFLESZ for Spanish, so immunopipe reports none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INFLESZ_BANDS = ((40.0, "very difficult"), (55.0, "somewhat difficult"), (65.0, "normal"), (80.0, "fairly easy"))

_WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?;:…]+(?:\s|$)")
_STRONG = set("aeoáéó")
_ACCENTED_WEAK = set("íú")
_VOWELS = _STRONG | _ACCENTED_WEAK | set("iuü")


@dataclass(frozen=True)
class Measure:
    """A readability measure for one language: its name and a scorer, or none ("not measured")."""

    name: str
    citation: str


SZIGRISZT_INFLESZ = Measure(
    "Szigriszt-Pazos perspicuity on the INFLESZ scale",
    "Szigriszt Pazos 1993; Barrio-Cantalejo et al., An Sist Sanit Navar 2008;31(2):135-152",
)

#: Language subtag -> its established measure. Languages not listed are "not measured".
MEASURES: dict[str, Measure] = {"es": SZIGRISZT_INFLESZ}


def measure_for(language: str) -> Measure | None:
    """The measure established for ``language`` (a BCP 47 tag), or ``None``: not measured."""
    return MEASURES.get(language.split("-")[0].lower())


def spanish_syllables(word: str) -> int:
    """Syllables of a Spanish ``word``: one per vowel nucleus, splitting strong-strong and accented-weak hiatus."""
    count, previous = 0, ""
    for letter in word.lower():
        if letter not in _VOWELS:
            previous = ""
            continue
        hiatus = previous and (
            (letter in _STRONG and previous in _STRONG) or letter in _ACCENTED_WEAK or previous in _ACCENTED_WEAK
        )
        if not previous or hiatus:
            count += 1
        previous = letter
    return max(count, 1)


def inflesz(text: str) -> float | None:
    """The Szigriszt-Pazos perspicuity of Spanish ``text`` (read on the INFLESZ scale); ``None`` without words."""
    words = _WORD.findall(text)
    if not words:
        return None
    sentences = max(len(_SENTENCE_END.findall(text.strip() + " ")), 1)
    syllables = sum(spanish_syllables(word) for word in words)
    return 206.835 - 62.3 * syllables / len(words) - len(words) / sentences


def inflesz_band(score: float) -> str:
    """The INFLESZ reading of ``score`` ("normal", "somewhat difficult", ...)."""
    return next((name for limit, name in INFLESZ_BANDS if score < limit), "very easy")
