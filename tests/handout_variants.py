"""The handouts the structure and layout tests measure: every paper and print size, with and
without the example clinic profile, for the seed article and for a longest article."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from immunopipe.export.pdf import render_pdf
from immunopipe.load import load_path
from immunopipe.model import article_from_data
from immunopipe.validate.profile import load_profile
from immunopipe.validate.schema import SchemaChecker

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "content" / "immune-system-medicine.yaml"
EXAMPLE_PROFILE = REPO / "examples" / "clinic.yaml"

#: (paper, large print) of every layout a handout is printed in.
LAYOUTS = (("a4", False), ("letter", False), ("a4", True))

#: A 200-character word, as a long chemical name or a pasted address can be.
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4 + "immunosuppression"[:20]


def _stretched(text: str, length: int) -> str:
    """``text`` followed by sentences up to exactly ``length`` characters."""
    filler = " The care team can explain what this means for you."
    while len(text) + len(filler) <= length:
        text += filler
    return (text + " " + "x" * length)[:length]


def longest_article_data() -> dict[str, Any]:
    """The seed with its strings at the schema's maximum lengths (a 200-character word among them).

    The title is one 200-character word; the source title (300) and publishers (200) fill the
    footer; the summary and use texts are at the text limit (2000), names at theirs, and each
    table row holds a 200-character word. Lists keep the seed's lengths (a handout of 20 uses
    with 100 conditions each is a book, not a handout: WeasyPrint takes minutes to lay it out).
    """
    data = copy.deepcopy(load_path(SEED).data)
    data["title"] = LONG_WORD[:200]
    data["summary"] = _stretched(f"{LONG_WORD} {data['summary']}", 2000)
    editorial = data["editorial"]
    editorial["publisher"]["name"] = _stretched("Publisher", 200)
    editorial["sources"][0]["title"] = _stretched("What is immune system medicine used for", 300)
    editorial["sources"][0]["publisher"] = _stretched("askvity", 200)
    for use in data["uses"]:
        use["title"] = _stretched(use["title"], 120)
        use["description"] = _stretched(use["description"], 2000)
        for condition in use["conditions"]:
            condition["name"] = _stretched(condition["name"], 120)
    for medicine_class in data["medicine_classes"]:
        medicine_class["name"] = _stretched(medicine_class["name"], 120)
        medicine_class["mechanism"] = _stretched(f"{LONG_WORD} {medicine_class['mechanism']}", 400)
    assert SchemaChecker().is_valid(data), "the longest article must stay schema-valid"
    return data


@cache
def handout(paper: str, large_print: bool, *, with_profile: bool = False, longest: bool = False) -> bytes:
    """The rendered handout of one variant (rendered once per test session)."""
    data = longest_article_data() if longest else load_path(SEED).data
    profile = load_profile(EXAMPLE_PROFILE) if with_profile else None
    return render_pdf(article_from_data(data), paper=paper, large_print=large_print, profile=profile)


#: The seed's shipped translations: (BCP 47 tag, the direction its lines are read in).
TRANSLATIONS = (("es", "ltr"), ("ar", "rtl"), ("zh-Hans", "ltr"))


@cache
def translated_handout(
    language: str, paper: str = "a4", large_print: bool = False, *, with_profile: bool = False
) -> bytes:
    """The handout of the seed's translation into ``language`` (with the example profile), as exported."""
    from immunopipe.export.handout_language import handout_language
    from immunopipe.translation.facts import translated_article
    from immunopipe.translation.layout import translation_path
    from immunopipe.translation.model import Translation

    translation = Translation.from_data(load_path(translation_path(SEED.parent, language, SEED.stem)).data)
    article = translated_article(article_from_data(load_path(SEED).data), translation.texts, translation.language)
    profile = load_profile(EXAMPLE_PROFILE) if with_profile else None
    return render_pdf(
        article, paper=paper, large_print=large_print, profile=profile, language=handout_language(translation)
    )
