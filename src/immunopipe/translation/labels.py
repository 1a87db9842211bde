"""The handout's own words (headings, labels, the footer), in English: the source every translation's labels follow.

A label may hold placeholders in braces (``{minutes}``); a translation must keep exactly the
same placeholders. Values filled in are escaped like any article text. Punctuation labels carry
their own spacing: ``colon`` is the mark and the space after it (": ", or the full-width colon
U+FF1A alone in Chinese), ``and`` the word with its spaces (" and ", none around Chinese U+548C).
"""

from __future__ import annotations

import re

#: Label id -> English text. Ids are stable: translations refer to them as ``labels/<id>``.
#: Punctuation is a label too: scripts write it differently (full-width marks in Chinese, the Arabic comma U+060C).
LABELS: dict[str, str] = {
    "colon": ": ",
    "full-stop": ".",
    "list-separator": ", ",
    "with-abbreviation": "{name} ({abbreviation})",
    "kicker": "{category} · Patient information · About a {minutes}-minute read",
    "main-point": "The main point",
    "condition-used-for": "Condition it is used for",
    "conditions-used-for": "Conditions it is used for",
    "medicine-types": "Types of medicine and how they work",
    "type-of-medicine": "Type of medicine",
    "examples": "Examples",
    "how-it-works": "How it works",
    "also-called": "{name} (also called {other})",
    "things-to-know": "Things to know, and when to talk to your care team",
    "consideration-risk": "Be aware",
    "consideration-monitoring": "Check-ups",
    "consideration-goal": "The aim",
    "words-explained": "Words explained",
    "about-leaflet": "About this leaflet",
    "publisher-website": "Publisher's website:",
    "written-by": "Written by:",
    "author-not-named": "not named by the source",
    "clinical-review": "Clinical review:",
    "clinically-reviewed-by": "Reviewed by {name}, {credentials} on {date}",
    "clinically-reviewed-on": "Clinically reviewed {date}",
    "not-clinically-reviewed": "Not yet clinically reviewed",
    "source": "Source",
    "sources": "Sources",
    "accessed-on": "accessed {date}",
    "web-address-not-known": "Web address not known.",
    "funding": "Funding:",
    "feedback": "Feedback:",
    "no-contact": "no contact details given by the source",
    "for-professionals": "For health professionals:",
    "codes-elsewhere": "the {systems} codes are in the JSON and CSV versions of this leaflet.",
    "codes-and-sources-elsewhere": (
        "the {systems} codes and their sources are in the JSON and CSV versions of this leaflet."
    ),
    "and": " and ",
    "footer-source": "Source:",
    "published": "Published:",
    "last-reviewed": "Last reviewed:",
    "next-review": "Next review:",
    "date-not-known": "not known",
    "not-advice": "Does not replace advice from a healthcare professional.",
    "page-of": "Page {page} of {pages}",
    "translation": "Translation:",
    "translation-machine-assisted": "This leaflet was translated from English with machine assistance.",
    "translation-professional": "This leaflet was translated from English by {name} on {date}.",
    "translation-not-checked": "It has not yet been checked by a qualified translator.",
    "translation-checked": "It was checked by a second translator, {name}, on {date}.",
    # A clinic profile's header and contact box (the profile's own values are printed as written).
    "clinic-logo": "Logo of {organisation}",
    "phone": "Phone:",
    "contact-clinic": "Questions? Contact {organisation}",
    "website": "Website:",
    "address": "Address:",
    "leaflet-online": "This leaflet online:",
    "online-qr": "QR code: opens this leaflet online at {url}",
}

_PLACEHOLDER = re.compile(r"\{([a-z]+)\}")


def placeholders(text: str) -> list[str]:
    """The placeholder names in ``text``, sorted (``{minutes}`` gives ``minutes``)."""
    return sorted(_PLACEHOLDER.findall(text))


def fill(text: str, **values: str) -> str:
    """``text`` with each ``{name}`` replaced by ``values[name]`` (unknown names are left as written)."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
