"""Where an article's text is: every string value, and the parts readers see on the handout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from immunopipe.validate.context import nodes, per_article


class ReaderText(NamedTuple):
    """A piece of text readers see: where it is, the text, and whether it is prose or a name."""

    pointer: str
    text: str
    is_prose: bool


@per_article
def strings(article: dict[str, Any]) -> list[tuple[str, str]]:
    """Every string value in ``article`` with its JSON pointer, in document order."""
    return [(pointer, value) for pointer, value in nodes(article) if isinstance(value, str)]


@per_article
def reader_text(article: dict[str, Any]) -> Iterator[ReaderText]:
    """Everything a reader sees, in document order.

    Prose is the sentences (summary, descriptions, editorial statements, glossary definitions);
    names are headings and names (title, use titles, conditions, classes, examples). Codes,
    sources and glossary terms are neither.
    """
    yield ReaderText("/title", article["title"], False)
    yield ReaderText("/summary", article["summary"], True)
    editorial = article["editorial"]
    for key in ("attribution", "funding", "disclaimer"):
        yield ReaderText(f"/editorial/{key}", editorial[key], True)
    if isinstance(editorial["contact"], dict):
        yield ReaderText("/editorial/contact/text", editorial["contact"]["text"], True)
    for u, use in enumerate(article["uses"]):
        yield ReaderText(f"/uses/{u}/title", use["title"], False)
        for key in ("description", "how_medicine_helps", "duration"):
            if key in use:
                yield ReaderText(f"/uses/{u}/{key}", use[key], True)
        for c, condition in enumerate(use["conditions"]):
            yield ReaderText(f"/uses/{u}/conditions/{c}/name", condition["name"], False)
            yield ReaderText(f"/uses/{u}/conditions/{c}/description", condition["description"], True)
    for m, medicine_class in enumerate(article["medicine_classes"]):
        yield ReaderText(f"/medicine_classes/{m}/name", medicine_class["name"], False)
        yield ReaderText(f"/medicine_classes/{m}/mechanism", medicine_class["mechanism"], True)
        for e, example in enumerate(medicine_class["examples"]):
            yield ReaderText(f"/medicine_classes/{m}/examples/{e}/name", example["name"], False)
    for c, consideration in enumerate(article["considerations"]):
        yield ReaderText(f"/considerations/{c}/text", consideration["text"], True)
    for g, entry in enumerate(article.get("glossary", [])):
        yield ReaderText(f"/glossary/{g}/definition", entry["definition"], True)


def prose(article: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The sentences readers see, with their pointers."""
    return ((item.pointer, item.text) for item in reader_text(article) if item.is_prose)
