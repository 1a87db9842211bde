"""The translatable facts of an article: each prose text with a stable key, and its fingerprint.

Keys name a fact by the ids around it, never by its position, so reordering the source changes
no key: ``title``, ``uses/<use id>/description``, ``conditions/<condition id>/name``,
``medicines/<medicine id>/name``, ``glossary/<term>/definition``, ``labels/<label id>``.
Ids, codes, dates, web addresses, source titles and the names of people and organisations are
not facts to translate: a translation takes them from the source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any, NamedTuple

from immunopipe.model import UNKNOWN, Article, Contact
from immunopipe.pointer import escape_pointer_token
from immunopipe.translation.labels import LABELS

#: Fields that hold ids, codes, dates or addresses: they come from the source, never from a translation.
FIXED_FIELDS = frozenset(
    {"id", "code", "codes", "system", "version", "source", "date", "published", "last_reviewed", "next_review"}
    | {"url", "accessed", "part_of", "kind", "language", "reading_time_minutes", "sources", "dates", "status"}
)

_SPACE = re.compile(r"\s+")


class SourceFact(NamedTuple):
    """A translatable text of the source: where it is (JSON pointer, empty for labels) and what it says."""

    pointer: str
    text: str


def fingerprint(text: str) -> str:
    """16 hex digits of the SHA-256 of ``text`` with its white space collapsed (YAML folding does not count)."""
    return hashlib.sha256(_SPACE.sub(" ", text).strip().encode("utf-8")).hexdigest()[:16]


def source_facts(article: dict[str, Any]) -> dict[str, SourceFact]:
    """Every translatable fact of schema-valid ``article`` data, then every handout label, in order."""
    facts: dict[str, SourceFact] = {}

    def add(key: str, pointer: str, value: Any) -> None:
        if isinstance(value, str) and value != UNKNOWN:
            facts[key] = SourceFact(pointer, value)

    for field in ("title", "category", "summary"):
        add(field, f"/{field}", article[field])
    editorial = article["editorial"]
    for field in ("attribution", "funding", "disclaimer"):
        add(f"editorial/{field}", f"/editorial/{field}", editorial[field])
    if isinstance(editorial["contact"], dict):
        add("editorial/contact", "/editorial/contact/text", editorial["contact"]["text"])
    for u, use in enumerate(article["uses"]):
        for field in ("title", "description", "how_medicine_helps", "duration"):
            add(f"uses/{use['id']}/{field}", f"/uses/{u}/{field}", use.get(field))
        for c, condition in enumerate(use["conditions"]):
            for field in ("name", "abbreviation", "description"):
                add(f"conditions/{condition['id']}/{field}", f"/uses/{u}/conditions/{c}/{field}", condition.get(field))
    for m, item in enumerate(article["medicine_classes"]):
        for field in ("name", "mechanism"):
            add(f"medicine-classes/{item['id']}/{field}", f"/medicine_classes/{m}/{field}", item[field])
        for e, example in enumerate(item["examples"]):
            for field in ("name", "international_name"):
                pointer = f"/medicine_classes/{m}/examples/{e}/{field}"
                add(f"medicines/{example['id']}/{field}", pointer, example.get(field))
    for k, consideration in enumerate(article["considerations"]):
        add(f"considerations/{consideration['id']}/text", f"/considerations/{k}/text", consideration["text"])
    for g, entry in enumerate(article.get("glossary", [])):
        for field in ("term", "definition"):
            add(f"glossary/{entry['term']}/{field}", f"/glossary/{g}/{field}", entry[field])
    for label, text in LABELS.items():
        facts[f"labels/{label}"] = SourceFact("", text)
    return facts


def label_texts(texts: dict[str, str]) -> dict[str, str]:
    """The handout labels among translated ``texts`` (``labels/<id>`` keys), by label id."""
    return {key.removeprefix("labels/"): text for key, text in texts.items() if key.startswith("labels/")}


def translated_article(article: Article, texts: dict[str, str], language: str) -> Article:
    """``article`` with every translated fact of ``texts`` in place and ``language`` as its language.

    Facts ``texts`` lacks keep the source's text (a valid translation lacks none).
    """

    def text(key: str, current: str) -> str:
        return texts.get(key, current)

    def optional(key: str, current: str | None) -> str | None:
        return None if current is None else texts.get(key, current)

    editorial = article.editorial
    contact = editorial.contact
    if isinstance(contact, Contact):
        contact = replace(contact, text=text("editorial/contact", contact.text))
    return replace(
        article,
        language=language,
        title=text("title", article.title),
        category=text("category", article.category),
        summary=text("summary", article.summary),
        editorial=replace(
            editorial,
            attribution=text("editorial/attribution", editorial.attribution),
            funding=text("editorial/funding", editorial.funding),
            disclaimer=text("editorial/disclaimer", editorial.disclaimer),
            contact=contact,
        ),
        uses=tuple(
            replace(
                use,
                title=text(f"uses/{use.id}/title", use.title),
                description=text(f"uses/{use.id}/description", use.description),
                how_medicine_helps=text(f"uses/{use.id}/how_medicine_helps", use.how_medicine_helps),
                duration=optional(f"uses/{use.id}/duration", use.duration),
                conditions=tuple(
                    replace(
                        condition,
                        name=text(f"conditions/{condition.id}/name", condition.name),
                        abbreviation=optional(f"conditions/{condition.id}/abbreviation", condition.abbreviation),
                        description=text(f"conditions/{condition.id}/description", condition.description),
                    )
                    for condition in use.conditions
                ),
            )
            for use in article.uses
        ),
        medicine_classes=tuple(
            replace(
                item,
                name=text(f"medicine-classes/{item.id}/name", item.name),
                mechanism=text(f"medicine-classes/{item.id}/mechanism", item.mechanism),
                examples=tuple(
                    replace(
                        example,
                        name=text(f"medicines/{example.id}/name", example.name),
                        international_name=optional(
                            f"medicines/{example.id}/international_name", example.international_name
                        ),
                    )
                    for example in item.examples
                ),
            )
            for item in article.medicine_classes
        ),
        considerations=tuple(
            replace(consideration, text=text(f"considerations/{consideration.id}/text", consideration.text))
            for consideration in article.considerations
        ),
        glossary=tuple(
            replace(
                entry,
                term=text(f"glossary/{entry.term}/term", entry.term),
                definition=text(f"glossary/{entry.term}/definition", entry.definition),
            )
            for entry in article.glossary
        ),
    )


def fact_pointer(key: str) -> str:
    """The JSON pointer of fact ``key`` in a translation file (``/facts/<key>``)."""
    return f"/facts/{escape_pointer_token(key)}"
