"""The handout's view-model: an :class:`~immunopipe.model.Article` (and a clinic profile) to HTML.

Everything a handout says is decided here and in the template (``templates/handout.html.j2``,
autoescaped, ``StrictUndefined``): wording, dates, which sources and code systems are named,
and the clinic's header and contact block. :mod:`immunopipe.export.pdf` lays the HTML out.

A document's language and direction (``lang``, ``dir``) come from the view-model, not from fixed
markup, and the stylesheet aligns text to the start of the line, so a handout in a right-to-left
language needs no template of its own; the typefaces are the renderer's (``@font-face`` rules
built in :mod:`immunopipe.export.pdf`). Every word the handout adds to the article (headings,
labels, dates, the footer) comes from its :class:`~immunopipe.export.handout_language.HandoutLanguage`:
English by default, a translation's own labels, locale and status line otherwise. A clinic
profile is printed in the header and the contact box only; without one the handout says what
the source gives.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from immunopipe import __version__
from immunopipe.export.handout_language import ENGLISH, HandoutLanguage, local_date, local_number
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
from immunopipe.translation.labels import LABELS, fill

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

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

DATE_NOT_KNOWN = "Date not known"


#: Languages written right to left (the primary subtag of the article's ``language``).
RIGHT_TO_LEFT = frozenset({"ar", "dv", "fa", "he", "ps", "ur", "yi"})


def render_html(
    article: Article,
    *,
    large_print: bool = False,
    profile: Profile | None = None,
    language: HandoutLanguage = ENGLISH,
) -> str:
    """The handout as an HTML document (the input WeasyPrint lays out).

    With a clinic ``profile``, the header names the clinic (with its logo) and a "Contact" box
    gives its phone, hours, addresses and the online version's QR code. ``language`` gives a
    translated article its labels, dates and numerals, and the line saying how it was translated.
    """
    labels = language.labels
    editorial = article.editorial
    created, modified = document_dates(article)
    review = review_status(editorial, labels, language.locale)
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        L=labels,
        locale=language.locale,
        translation_status=language.status,
        article=article,
        editorial=editorial,
        language=article.language,
        direction=text_direction(article.language),
        print_class="large-print" if large_print else "standard-print",
        author_name=_author_name(editorial),
        author_credit=_author_credit(editorial, labels),
        review_status=review,
        reviewed=review != labels["not-clinically-reviewed"],
        review_summary=review_summary(editorial, labels, language.locale),
        feedback=_feedback(editorial, labels),
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


def writing_direction(text: str) -> str:
    """``rtl`` when the first strong character of ``text`` is written right to left (Arabic, Hebrew), else ``ltr``.

    A clinic's own words (its hours, its address) are in the clinic's language whatever the
    handout's: printed in an isolate of their own direction, an English address keeps its order
    inside an Arabic paragraph, as a phone number keeps its digit groups.
    """
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


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


def long_date(value: str, locale: str = "en", labels: Mapping[str, str] = LABELS) -> str:
    """``2026-11-26`` as ``26 November 2026`` (in ``locale``'s words); ``unknown`` as :data:`DATE_NOT_KNOWN`."""
    day = parse_date(value)
    if locale != "en":
        return labels["date-not-known"] if day is None else local_date(day, "long", locale)
    return DATE_NOT_KNOWN if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(value: str, locale: str = "en", labels: Mapping[str, str] = LABELS) -> str:
    """``2026-11-26`` as ``26 Nov 2026`` (for the footer); ``unknown`` as ``not known``."""
    day = parse_date(value)
    if day is None:
        return labels["date-not-known"]
    if locale != "en":
        return local_date(day, "medium", locale)
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def review_summary(editorial: Editorial, labels: Mapping[str, str] = LABELS, locale: str = "en") -> str:
    """The review status in a few words, for the footer."""
    review = editorial.clinical_review
    if not review.current or review.date is None:
        return labels["not-clinically-reviewed"]
    return fill(labels["clinically-reviewed-on"], date=short_date(review.date, locale, labels))


def review_status(editorial: Editorial, labels: Mapping[str, str] = LABELS, locale: str = "en") -> str:
    """Who approved the content and when, only while the approval matches the facts; else an honest "not yet"."""
    review = editorial.clinical_review
    if not review.current or review.reviewer is None or review.date is None:
        return labels["not-clinically-reviewed"]
    reviewer = review.reviewer
    when = long_date(review.date, locale, labels)
    return fill(labels["clinically-reviewed-by"], name=reviewer.name, credentials=reviewer.credentials, date=when)


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


def medicine_name(medicine: Medicine, labels: Mapping[str, str] = LABELS) -> str:
    """An example's name, with its international name where that differs."""
    if medicine.international_name and medicine.international_name != medicine.name:
        return fill(labels["also-called"], name=medicine.name, other=medicine.international_name)
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


def word_list(items: Sequence[str], conjunction: str = " and ", separator: str = ", ") -> str:
    """``a, b and c`` (``a`` for one item, empty for none); ``conjunction`` carries its own spaces."""
    return conjunction.join([separator.join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


#: Marks that end a sentence, in the scripts handouts are printed in (Latin, Arabic, Chinese).
SENTENCE_ENDS = (".", "?", "!", "\u061f", "\u3002", "\uff1f", "\uff01")


def sentence(text: str, full_stop: str = ".") -> str:
    """``text`` ending in ``full_stop``, unless it already ends a sentence."""
    text = text.strip()
    return text if text.endswith(SENTENCE_ENDS) else f"{text}{full_stop}"


def consideration_label(kind: str, labels: Mapping[str, str] = LABELS) -> str:
    """A plain lead-in for a consideration of ``kind``."""
    return labels.get(f"consideration-{kind}", kind.capitalize())


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

    # Filters that speak the handout's language read its labels (L) and locale from the render.
    @jinja2.pass_context
    def dated(context: Mapping[str, object], value: str) -> str:
        return long_date(value, str(context["locale"]), context["L"])  # type: ignore[arg-type]

    @jinja2.pass_context
    def short(context: Mapping[str, object], value: str) -> str:
        return short_date(value, str(context["locale"]), context["L"])  # type: ignore[arg-type]

    @jinja2.pass_context
    def ended(context: Mapping[str, object], text: str) -> str:
        return sentence(text, context["L"]["full-stop"])  # type: ignore[index]

    @jinja2.pass_context
    def listed(context: Mapping[str, object], items: Sequence[str]) -> str:
        labels: Mapping[str, str] = context["L"]  # type: ignore[assignment]
        return word_list(items, labels["and"], labels["list-separator"])

    @jinja2.pass_context
    def named(context: Mapping[str, object], medicine: Medicine) -> str:
        return medicine_name(medicine, context["L"])  # type: ignore[arg-type]

    @jinja2.pass_context
    def lead_in(context: Mapping[str, object], kind: str) -> str:
        return consideration_label(kind, context["L"])  # type: ignore[arg-type]

    @jinja2.pass_context
    def number(context: Mapping[str, object], value: int) -> str:
        return local_number(value, str(context["locale"]))

    environment.filters.update(
        long_date=dated,
        short_date=short,
        medicine_name=named,
        sentence=ended,
        word_list=listed,
        consideration_label=lead_in,
        writing_direction=writing_direction,
        fill=lambda text, **values: fill(text, **{key: str(value) for key, value in values.items()}),
        number=number,
    )
    return environment


def _author_name(editorial: Editorial) -> str:
    return editorial.author.name if isinstance(editorial.author, Person) else editorial.publisher.name


def _author_credit(editorial: Editorial, labels: Mapping[str, str]) -> str:
    author = editorial.author
    if not isinstance(author, Person):
        return labels["author-not-named"]
    return f"{author.name}, {author.credentials}"


def _feedback(editorial: Editorial, labels: Mapping[str, str]) -> str:
    contact = editorial.contact
    if not isinstance(contact, Contact):
        return labels["no-contact"]
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


def footer_texts(article: Article, language: HandoutLanguage = ENGLISH) -> list[str]:
    """The text of each paragraph of the page footer (as the template prints it), for sizing it."""
    labels, locale = language.labels, language.locale
    editorial = article.editorial
    source = editorial.sources[0]
    dates = editorial.dates
    page = fill(labels["page-of"], page="99", pages="99")
    published, reviewed, due = (
        short_date(day, locale, labels) for day in (dates.published, dates.last_reviewed, dates.next_review)
    )
    return [
        f"{editorial.publisher.name} · {labels['footer-source']} {source.title} ({source.publisher}) {page}",
        f"{labels['published']} {published} · {labels['last-reviewed']} {reviewed} · {labels['next-review']} {due}",
        f"{sentence(review_summary(editorial, labels, locale), labels['full-stop'])} {labels['not-advice']}",
    ]
