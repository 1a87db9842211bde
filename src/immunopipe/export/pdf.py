"""Printable patient handouts: an :class:`~immunopipe.model.Article` in, PDF bytes out.

The article is rendered into HTML by a Jinja2 template (autoescaped, ``StrictUndefined``) and
laid out by WeasyPrint with the package's print stylesheet and the Atkinson Hyperlegible font.
The PDF is tagged and identified as PDF/UA-1, carries Title/Author/Subject/Keywords from the
content, and is byte-identical for the same content:

* PDF creation/modification dates come from ``editorial.dates``; when those are ``unknown`` the
  date of ``SOURCE_DATE_EPOCH`` is used if it is set, and otherwise the PDF has no dates;
* fontTools stamps subset fonts with the current time unless ``SOURCE_DATE_EPOCH`` is set, so
  when it is not set it is set for the duration of the render (to the publication date, or
  :data:`FALLBACK_EPOCH`) and then removed again.

Only the package's own stylesheet and font files can be loaded (see
:mod:`immunopipe.export.fetcher`); any ERROR WeasyPrint logs fails the render.

Importing this module is cheap: Jinja2 and WeasyPrint are imported when a handout is rendered.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from immunopipe import __version__
from immunopipe.model import UNKNOWN, Article, Code, Condition, Editorial, Medicine, Use, parse_date

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "handout.html.j2"
STYLESHEET_NAME = "handout.css"

#: The ``--paper`` choices and the CSS page size each one selects.
PAPER_SIZES: dict[str, str] = {"a4": "A4", "letter": "letter"}

#: The PDF/UA variant WeasyPrint writes: a tagged PDF with language and XMP metadata.
PDF_VARIANT = "pdf/ua-1"

#: Font timestamp used when neither the content nor ``SOURCE_DATE_EPOCH`` gives a date:
#: 1980-01-01T00:00:00Z, the earliest date ZIP files can hold, used by reproducible builds.
FALLBACK_EPOCH = 315_532_800

#: Scheme of the URLs under which the renderer's fetcher serves the bundled font files.
ASSET_SCHEME = "immunopipe-asset:"

FONT_FAMILY = "Atkinson Hyperlegible"
FONT_FACES: tuple[tuple[int, str], ...] = ((400, "normal"), (700, "normal"), (400, "italic"), (700, "italic"))

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

_SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
_ENVIRONMENT_LOCK = threading.Lock()


class PdfRenderError(RuntimeError):
    """WeasyPrint logged an error, or the render asked for something it may not load."""


def render_pdf(article: Article, *, paper: str = "a4", large_print: bool = False) -> bytes:
    """Render ``article`` as a printable PDF handout.

    ``paper`` is ``a4`` or ``letter``; ``large_print`` sets text in 18 pt (16 pt at the least)
    instead of 12 pt. Raises :class:`ValueError` for an unknown paper size and
    :class:`PdfRenderError` when the render is not clean.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper size {paper!r}: choose one of {', '.join(PAPER_SIZES)}")
    html = render_html(article, large_print=large_print)

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from immunopipe.export.fetcher import AssetFetcher

    fonts = _font_files()
    fetcher = AssetFetcher({url: (path, "font/ttf") for url, (path, _, _) in fonts.items()})
    font_config = FontConfiguration()
    with _weasyprint_errors() as errors, _font_timestamp(_font_epoch(article)):
        stylesheets = [
            CSS(string=_font_face_rules(fonts), url_fetcher=fetcher, font_config=font_config),
            CSS(string=(TEMPLATES / STYLESHEET_NAME).read_text("utf-8"), url_fetcher=fetcher, font_config=font_config),
            CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", url_fetcher=fetcher),
        ]
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets,
            font_config=font_config,
            pdf_variant=PDF_VARIANT,
            pdf_identifier=True,
        )
    problems = [*errors, *(f"refused to load {url}" for url in fetcher.refused)]
    if problems:
        raise PdfRenderError(f"handout {article.id!r} did not render cleanly: {'; '.join(problems)}")
    return pdf


def render_html(article: Article, *, large_print: bool = False) -> str:
    """The handout as an HTML document (the input WeasyPrint lays out)."""
    editorial = article.editorial
    created, modified = document_dates(article)
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        article=article,
        editorial=editorial,
        print_class="large-print" if large_print else "standard-print",
        author_name=_author_name(editorial),
        author_credit=_author_credit(editorial),
        review_status=review_status(editorial),
        review_summary=review_summary(editorial),
        feedback=_feedback(editorial),
        primary_source=editorial.sources[0],
        keywords=_keywords(article),
        generator=f"immunopipe {__version__}",
        created=created,
        modified=modified,
        condition_tree=condition_tree,
        code_index=code_index(article),
        UNKNOWN=UNKNOWN,
    )


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
    if review.status != "approved" or review.date is None:
        return NOT_REVIEWED
    return f"Clinically reviewed {short_date(review.date)}"


def review_status(editorial: Editorial) -> str:
    """Who approved the content clinically and when, or an honest "not yet"."""
    review = editorial.clinical_review
    if review.status != "approved" or review.reviewer is None or review.date is None:
        return NOT_REVIEWED
    reviewer = review.reviewer
    return f"Clinically reviewed by {reviewer.name}, {reviewer.credentials}, on {long_date(review.date)}"


def document_dates(article: Article) -> tuple[str | None, str | None]:
    """PDF (created, modified) dates: the content's, else ``SOURCE_DATE_EPOCH``'s, else none."""
    dates = article.editorial.dates
    build_date = _source_date_epoch_date()
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


def code_index(article: Article) -> list[tuple[str, list[str]]]:
    """Every code in the article grouped by code system and edition, in article order.

    Entries name what is coded (``Rheumatoid arthritis M05, M06``); items without any code
    are listed last under "No single code".
    """
    coded: list[tuple[str, Sequence[Code]]] = [(c.name, c.codes) for _, c in article.conditions()]
    for medicine_class in article.medicine_classes:
        coded.append((medicine_class.name, medicine_class.codes))
        coded += [(medicine.name, medicine.codes) for medicine in medicine_class.examples]
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    uncoded: list[str] = []
    for name, codes in coded:
        if not codes:
            uncoded.append(name)
        for code in codes:
            entries = groups.setdefault((code.system, code.version), {})
            entries.setdefault(name, []).append(_code_text(code, name))
    index = [
        (
            f"{CODE_SYSTEM_NAMES.get(system, system)} {version}",
            [f"{name} {', '.join(texts)}" for name, texts in entries.items()],
        )
        for (system, version), entries in groups.items()
    ]
    if uncoded:
        index.append(("No single code", uncoded))
    return index


def _code_text(code: Code, name: str) -> str:
    text = code.code
    if code.label and code.label.casefold() != name.casefold():
        text += f" ({code.label})"
    if code.note:
        text += f" ({code.note})"
    return text


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
        consideration_label=consideration_label,
    )
    return environment


def _author_name(editorial: Editorial) -> str:
    return editorial.publisher.name if editorial.author == UNKNOWN else editorial.author.name


def _author_credit(editorial: Editorial) -> str:
    if editorial.author == UNKNOWN:
        return "not named by the source"
    return f"{editorial.author.name}, {editorial.author.credentials}"


def _feedback(editorial: Editorial) -> str:
    contact = editorial.contact
    if contact == UNKNOWN:
        return "no contact details given by the source"
    return f"{sentence(contact.text)} {contact.url}" if contact.url else contact.text


def _keywords(article: Article) -> list[str]:
    names = [article.category]
    names += [condition.name for _, condition in article.conditions()]
    names += [medicine_class.name for medicine_class in article.medicine_classes]
    return list(dict.fromkeys(names))


def _source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` if it is set to a whole number of seconds, else ``None``."""
    value = os.environ.get(_SOURCE_DATE_EPOCH, "").strip()
    return int(value) if value.isdigit() else None


def _source_date_epoch_date() -> str | None:
    epoch = _source_date_epoch()
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _font_epoch(article: Article) -> int:
    published = parse_date(article.editorial.dates.published)
    if published is None:
        return FALLBACK_EPOCH
    return int(datetime.combine(published, time(), UTC).timestamp())


@contextmanager
def _font_timestamp(epoch: int) -> Iterator[None]:
    """Make fontTools stamp subset fonts with a fixed time for the duration of a render.

    A valid ``SOURCE_DATE_EPOCH`` is left alone; otherwise it is set to ``epoch`` and restored
    afterwards (to its old value, or removed). The lock keeps concurrent renders from undoing
    each other's setting.
    """
    with _ENVIRONMENT_LOCK:
        if _source_date_epoch() is not None:
            yield
            return
        previous = os.environ.get(_SOURCE_DATE_EPOCH)
        os.environ[_SOURCE_DATE_EPOCH] = str(epoch)
        try:
            yield
        finally:
            if previous is None:
                del os.environ[_SOURCE_DATE_EPOCH]
            else:
                os.environ[_SOURCE_DATE_EPOCH] = previous


class _ErrorRecords(logging.Handler):
    """Collects ERROR records that this thread makes WeasyPrint log."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = _ErrorRecords()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _font_files() -> dict[str, tuple[Path, int, str]]:
    """The bundled font's files as ``{asset URL: (file, weight, style)}``; empty if missing."""
    try:
        import fontpkg
    except ImportError:
        return {}
    files: dict[str, tuple[Path, int, str]] = {}
    for weight, style in FONT_FACES:
        try:
            path = fontpkg.path(FONT_FAMILY, weight, style)
        except fontpkg.FontpkgError:
            continue
        files[f"{ASSET_SCHEME}fonts/{path.name}"] = (path, weight, style)
    return files


def _font_face_rules(fonts: dict[str, tuple[Path, int, str]]) -> str:
    """``@font-face`` rules for the bundled font files (fixed text, never content)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; src: url("{url}"); }}'
        for url, (_, weight, style) in fonts.items()
    )
