"""The handout's view-model: an :class:`~immunopipe.model.Article` (and a clinic profile) to HTML.

Everything a handout says is decided here and in the template (``templates/handout.html.j2``,
autoescaped, ``StrictUndefined``): wording, dates, which sources and code systems are named,
and the clinic's header and contact block. :mod:`immunopipe.export.pdf` lays the HTML out.

A document's language and direction (``lang``, ``dir``) come from the view-model, not from fixed
markup, and the stylesheet aligns text to the start of the line, so a handout in a right-to-left
language needs no template of its own; the typefaces are the renderer's (``@font-face`` rules
built in :mod:`immunopipe.export.pdf`). A clinic profile is printed in the header and the
contact box only; without one the handout says what the source gives.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from immunopipe import __version__
from immunopipe.model import (
    UNKNOWN,
    Article,
    Code,
    Condition,
    Contact,
    Editorial,
    Medicine,
    Person,
    Source,
    Use,
    parse_date,
)
from immunopipe.profile import Profile

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "handout.html.j2"
STYLESHEET_NAME = "handout.css"

#: Scheme of the URLs under which the renderer's fetcher serves the bundled assets.
ASSET_SCHEME = "immunopipe-asset:"
#: Where the clinic's logo and the QR code are served from (fixed names, never content).
LOGO_URL = f"{ASSET_SCHEME}profile/logo"
QR_URL = f"{ASSET_SCHEME}profile/online-version-qr.svg"

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"

CODE_SYSTEM_NAMES: dict[str, str] = {
    "who-atc": "WHO ATC",
    "who-icd-10": "WHO ICD-10",
    "icd-10-cm": "ICD-10-CM",
    "who-icd-11-mms": "WHO ICD-11",
    "rxnorm": "RxNorm",
}

CONSIDERATION_LABELS: dict[str, str] = {
    "risk": "Be aware",
    "monitoring": "Check-ups",
    "goal": "The aim",
}

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

NOT_REVIEWED = "Not yet clinically reviewed"
DATE_NOT_KNOWN = "Date not known"


#: Languages written right to left (the primary subtag of the article's ``language``).
RIGHT_TO_LEFT = frozenset({"ar", "dv", "fa", "he", "ps", "ur", "yi"})


def render_html(article: Article, *, large_print: bool = False, profile: Profile | None = None) -> str:
    """The handout as an HTML document (the input WeasyPrint lays out).

    With a clinic ``profile``, the header names the clinic (with its logo) and a "Contact" box
    gives its phone, hours, addresses and the online version's QR code.
    """
    editorial = article.editorial
    created, modified = document_dates(article)
    review = review_status(editorial)
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        article=article,
        editorial=editorial,
        language=article.language,
        direction=text_direction(article.language),
        print_class="large-print" if large_print else "standard-print",
        author_name=_author_name(editorial),
        author_credit=_author_credit(editorial),
        review_status=review,
        reviewed=review != NOT_REVIEWED,
        review_summary=review_summary(editorial),
        feedback=_feedback(editorial),
        primary_source=editorial.sources[0],
        keywords=_keywords(article),
        generator=f"immunopipe {__version__}",
        created=created,
        modified=modified,
        condition_tree=condition_tree,
        code_systems=code_systems(article),
        sources=text_sources(article),
        profile=profile,
        logo_url=LOGO_URL if profile and profile.logo else None,
        online_url=profile.online_url(article.id) if profile else None,
        qr_url=QR_URL,
        UNKNOWN=UNKNOWN,
    )


def text_direction(language: str) -> str:
    """``rtl`` for a language written right to left (``ar``, ``he-IL``), else ``ltr``."""
    return "rtl" if language.split("-", 1)[0].lower() in RIGHT_TO_LEFT else "ltr"


def profile_assets(article: Article, profile: Profile | None) -> dict[str, tuple[bytes, str]]:
    """The images a handout with ``profile`` shows: ``{asset URL: (bytes, media type)}``.

    The clinic's logo, as checked when the profile was loaded, and the QR code of the online
    version's web address. Nothing else of the profile's folder is ever served.
    """
    assets: dict[str, tuple[bytes, str]] = {}
    if profile and profile.logo:
        assets[LOGO_URL] = (profile.logo.data, profile.logo.media_type)
    url = profile.online_url(article.id) if profile else None
    if url:
        assets[QR_URL] = (qr_svg(url), "image/svg+xml")
    return assets


def qr_svg(url: str) -> bytes:
    """A QR code of ``url`` as an SVG image (error correction M, the standard four-module quiet zone)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", scale=4, border=4, xmldecl=False)
    return buffer.getvalue()


def long_date(value: str) -> str:
    """``2026-11-26`` as ``26 November 2026``; ``unknown`` as :data:`DATE_NOT_KNOWN`."""
    day = parse_date(value)
    return DATE_NOT_KNOWN if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(value: str) -> str:
    """``2026-11-26`` as ``26 Nov 2026`` (for the footer); ``unknown`` as ``not known``."""
    day = parse_date(value)
    return "not known" if day is None else f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def review_summary(editorial: Editorial) -> str:
    """The review status in a few words, for the footer."""
    review = editorial.clinical_review
    if not review.current or review.date is None:
        return NOT_REVIEWED
    return f"Clinically reviewed {short_date(review.date)}"


def review_status(editorial: Editorial) -> str:
    """Who approved the content and when, only while the approval matches the facts; else an honest "not yet"."""
    review = editorial.clinical_review
    if not review.current or review.reviewer is None or review.date is None:
        return NOT_REVIEWED
    reviewer = review.reviewer
    return f"Reviewed by {reviewer.name}, {reviewer.credentials} on {long_date(review.date)}"


def document_dates(article: Article) -> tuple[str | None, str | None]:
    """PDF (created, modified) dates: the content's, else ``SOURCE_DATE_EPOCH``'s, else none."""
    dates = article.editorial.dates
    build_date = source_date_epoch_date()
    created = dates.published if dates.published != UNKNOWN else build_date
    modified = dates.last_reviewed if dates.last_reviewed != UNKNOWN else created
    return created, modified


def condition_tree(use: Use) -> list[tuple[Condition, list[Condition]]]:
    """The use's conditions with the ones that are ``part_of`` another nested under it."""
    ids = {condition.id for condition in use.conditions}
    parts: dict[str, list[Condition]] = {}
    for condition in use.conditions:
        if condition.part_of in ids:
            parts.setdefault(condition.part_of, []).append(condition)
    return [(condition, parts.get(condition.id, [])) for condition in use.conditions if condition.part_of not in ids]


def medicine_name(medicine: Medicine) -> str:
    """An example's name, with its international name where that differs."""
    if medicine.international_name:
        return f"{medicine.name} (also called {medicine.international_name})"
    return medicine.name


def article_codes(article: Article) -> list[Code]:
    """Every code of the article's conditions, medicine classes and examples, in article order."""
    codes = [code for _, condition in article.conditions() for code in condition.codes]
    for medicine_class in article.medicine_classes:
        codes += medicine_class.codes
        codes += [code for medicine in medicine_class.examples for code in medicine.codes]
    return codes


def code_systems(article: Article) -> list[str]:
    """The code systems and editions the article is coded in (``WHO ICD-10 2019``), in order.

    The codes themselves are for systems, not patients: the JSON and CSV exports carry them,
    and the handout only names the systems.
    """
    systems = (f"{CODE_SYSTEM_NAMES.get(code.system, code.system)} {code.version}" for code in article_codes(article))
    return list(dict.fromkeys(systems))


def text_sources(article: Article) -> list[Source]:
    """The sources the handout's text rests on: the first source and every source no code or query cites.

    Sources cited only by codes (a code index such as WHO ATC) back the codes, which the
    handout leaves to the JSON and CSV exports along with those sources; so do the editorial
    queries for the clinical reviewer, which are never printed.
    """
    cited_elsewhere = {code.source for code in article_codes(article)} | {query.source for query in article.queries}
    sources = article.editorial.sources
    return [source for index, source in enumerate(sources) if index == 0 or source.id not in cited_elsewhere]


def word_list(items: Sequence[str]) -> str:
    """``a, b and c`` (``a`` for one item, empty for none)."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def sentence(text: str) -> str:
    """``text`` ending in a full stop, unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else f"{text}."


def consideration_label(kind: str) -> str:
    """A plain lead-in for a consideration of ``kind``."""
    return CONSIDERATION_LABELS.get(kind, kind.capitalize())


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name (select_autoescape skips *.j2)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        long_date=long_date,
        short_date=short_date,
        medicine_name=medicine_name,
        sentence=sentence,
        word_list=word_list,
        consideration_label=consideration_label,
    )
    return environment


def _author_name(editorial: Editorial) -> str:
    return editorial.author.name if isinstance(editorial.author, Person) else editorial.publisher.name


def _author_credit(editorial: Editorial) -> str:
    author = editorial.author
    if not isinstance(author, Person):
        return "not named by the source"
    return f"{author.name}, {author.credentials}"


def _feedback(editorial: Editorial) -> str:
    contact = editorial.contact
    if not isinstance(contact, Contact):
        return "no contact details given by the source"
    return f"{sentence(contact.text)} {contact.url}" if contact.url else contact.text


def _keywords(article: Article) -> list[str]:
    names = [article.category]
    names += [condition.name for _, condition in article.conditions()]
    names += [medicine_class.name for medicine_class in article.medicine_classes]
    return list(dict.fromkeys(names))


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` if it is set to a whole number of seconds, else ``None``."""
    value = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    return int(value) if value.isdigit() else None


def source_date_epoch_date() -> str | None:
    epoch = source_date_epoch()
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def footer_texts(article: Article) -> list[str]:
    """The text of each paragraph of the page footer (as the template prints it), for sizing it."""
    editorial = article.editorial
    source = editorial.sources[0]
    dates = editorial.dates
    return [
        f"{editorial.publisher.name} · Source: {source.title} ({source.publisher}) Page 99 of 99",
        f"Published: {short_date(dates.published)} · Last reviewed: {short_date(dates.last_reviewed)} · "
        f"Next review: {short_date(dates.next_review)}",
        f"{review_summary(editorial)}. Does not replace advice from a healthcare professional.",
    ]
