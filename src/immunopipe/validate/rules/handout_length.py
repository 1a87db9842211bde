"""The handout fits on a sensible number of pages: at most 20 A4 pages in standard print.

A patient handout is read in a few minutes; the schema's list limits still allow an article of
hundreds of pages (20 uses of 100 conditions, each with 2,000 characters of description), which
no clinic would print and which takes minutes to render. The length is estimated from the text
the handout prints and its list items, measured on real renders: about 4,000 characters of
text per A4 page at 12 pt, each list item taking a line of its own (large print takes about 2.6
times as many pages). A longer topic belongs in several articles.

Passes::

    considerations: [... 10 items of 2,000 characters ...]   # about 7 pages

Fails::

    considerations: [... 50 items of 2,000 characters ...]   # about 28 pages
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from immunopipe.diagnostics import Severity
from immunopipe.validate.context import Finding, RuleContext
from immunopipe.validate.text import reader_text

ID = "handout-length"
SEVERITY = Severity.ERROR
SUMMARY = "The PDF handout fits on at most 20 A4 pages in standard print."
STANDARD = "NHS Standard for Creating Health Content (concise); immunopipe: a handout renders in seconds"

MAX_PAGES = 20
#: Characters of text on an A4 page at 12 pt, and the characters' worth of space a list item takes.
CHARACTERS_PER_PAGE = 4000
CHARACTERS_PER_ITEM = 100


def estimated_pages(article: dict[str, Any]) -> int:
    """About how many A4 pages the standard-print handout of ``article`` takes."""
    characters = sum(len(item.text) for item in reader_text(article))
    characters += sum(len(entry["term"]) for entry in article.get("glossary", []))
    items = sum(len(use["conditions"]) for use in article["uses"]) + len(article["uses"])
    items += sum(len(medicine_class["examples"]) for medicine_class in article["medicine_classes"])
    items += len(article["considerations"]) + len(article.get("glossary", [])) + len(article["editorial"]["sources"])
    return round((characters + CHARACTERS_PER_ITEM * items) / CHARACTERS_PER_PAGE)


def check(article: dict[str, Any], context: RuleContext) -> Iterator[Finding]:
    pages = estimated_pages(article)
    if pages > MAX_PAGES:
        yield Finding(
            "/title",
            f"the handout would take about {pages} A4 pages in standard print (about {round(pages * 2.6)} in large "
            f"print); a handout should take at most {MAX_PAGES}: split the topic into several articles",
        )
