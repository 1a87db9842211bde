"""CSV tables of translations: every translated fact, and how each translation was made and checked.

They join the article tables of :mod:`immunopipe.export.csv` on ``article_id`` and are described
in the same Data Package. The article tables keep the English source; a translation's text is
here, one row per fact, keyed by the fact's key (``uses/<use id>/title``, ``labels/<label id>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from immunopipe.export.csv import ARTICLE_ID, Column, ForeignKey, Row

if TYPE_CHECKING:
    from collections.abc import Callable

    from immunopipe.translation.model import Translation

#: Every row names an article of ``articles.csv``.
BELONGS_TO_ARTICLE = ForeignKey(columns=("article_id",), table="articles", reference=("article_id",))

LANGUAGE = Column(name="language", description="The translation's language, a BCP 47 tag (es, ar, zh-Hans).")


@dataclass(frozen=True, kw_only=True)
class TranslationTable:
    """One CSV file of translations: like an article table, with rows from a translation."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    rows: Callable[[Translation], Iterator[Row]]

    @property
    def file_name(self) -> str:
        """The CSV file's name, e.g. ``translations.csv``."""
        return f"{self.name}.csv"


def _fact_rows(translation: Translation) -> Iterator[Row]:
    for key, text in translation.texts.items():
        yield (translation.article_id, translation.language, key, text, translation.fingerprints[key])


def _person(value: Any) -> tuple[str | None, str | None]:
    return (value["name"], value["date"]) if isinstance(value, dict) else (value, None)


def _status_rows(translation: Translation) -> Iterator[Row]:
    status = translation.status
    made_by, made_on = _person(status["translated_by"])
    checked_by, checked_on = _person(status["checked_by"])
    yield (translation.article_id, translation.language, status["method"], made_by, made_on, checked_by, checked_on)


TRANSLATION_TABLES: tuple[TranslationTable, ...] = (
    TranslationTable(
        name="translations",
        description="One row per translated fact of an article (the article tables hold the English source).",
        columns=(
            ARTICLE_ID,
            LANGUAGE,
            Column(name="fact", description="The fact's key: title, uses/<use id>/title, labels/<label id>, ..."),
            Column(name="text", description="The translated text."),
            Column(
                name="source_fingerprint",
                description="First 16 hex digits of the SHA-256 of the English text it was translated from.",
            ),
        ),
        primary_key=("article_id", "language", "fact"),
        foreign_keys=(BELONGS_TO_ARTICLE,),
        rows=_fact_rows,
    ),
    TranslationTable(
        name="translation_status",
        description="One row per translation: how it was made and whether a second translator checked it.",
        columns=(
            ARTICLE_ID,
            LANGUAGE,
            Column(name="method", description="machine-assisted or professional."),
            Column(name="translated_by", description="Who made or edited the translation, or unknown."),
            Column(name="translated_on", type="date", required=False, description="When, if known."),
            Column(name="checked_by", description="The second translator who checked it, or pending."),
            Column(name="checked_on", type="date", required=False, description="When it was checked."),
        ),
        primary_key=("article_id", "language"),
        foreign_keys=(BELONGS_TO_ARTICLE,),
        rows=_status_rows,
    ),
)
