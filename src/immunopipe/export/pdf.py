"""Printable patient handouts: an :class:`~immunopipe.model.Article` in, PDF bytes out.

The article is rendered into HTML by a Jinja2 template (autoescaped, ``StrictUndefined``) and
laid out by WeasyPrint with the package's print stylesheet and the bundled Atkinson Hyperlegible
font. The PDF is tagged and identified as PDF/UA-1, carries Title/Author/Subject/Keywords from
the content, and is byte-identical for the same content:

* PDF creation/modification dates come from ``editorial.dates``; when those are ``unknown`` the
  date of ``SOURCE_DATE_EPOCH`` is used if it is set, and otherwise the PDF has no dates;
* when the bundled font has every character of the handout, its files are embedded whole: that
  is faster than subsetting them with fontTools and stamps no time into them. Otherwise (a Greek
  letter, say) a system font stands in for the missing characters, and a whole system font would
  add hundreds of KiB, so every font is subset instead; fontTools then stamps subsets with the
  current time unless ``SOURCE_DATE_EPOCH`` is set, so it is set for the duration of the render
  (to the publication date, or :data:`FALLBACK_EPOCH`) and removed again.

Only the package's own stylesheet and font files can be loaded (see
:mod:`immunopipe.export.fetcher`); any ERROR WeasyPrint logs fails the render.

:func:`render_pdfs` renders many handouts: it reuses those in the render cache
(:mod:`immunopipe.export.pdf_cache`) and renders the rest in a pool of processes.

Importing this module is cheap: Jinja2 and WeasyPrint are imported when a handout is rendered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from immunopipe import __version__
from immunopipe.fingerprint import code_fingerprint
from immunopipe.formats import DEFAULT_PAPER, PAPER_SIZES
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
from immunopipe.translation.labels import LABELS, fill
from immunopipe.translation.scripts import LATIN, Script, font_file

if TYPE_CHECKING:
    import jinja2

    from immunopipe.translation.model import Translation

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "handout.html.j2"
STYLESHEET_NAME = "handout.css"

#: The PDF/UA variant WeasyPrint writes: a tagged PDF with language and XMP metadata.
PDF_VARIANT = "pdf/ua-1"

#: Font timestamp used when neither the content nor ``SOURCE_DATE_EPOCH`` gives a date:
#: 1980-01-01T00:00:00Z, the earliest date ZIP files can hold, used by reproducible builds.
FALLBACK_EPOCH = 315_532_800

#: Scheme of the URLs under which the renderer's fetcher serves the bundled font files.
ASSET_SCHEME = "immunopipe-asset:"

FONT_FAMILY = "Atkinson Hyperlegible"
FONT_PACKAGE = "fontpkg-atkinson-hyperlegible"
FONT_FACES: tuple[tuple[int, str], ...] = ((400, "normal"), (700, "normal"), (400, "italic"), (700, "italic"))

#: Distributions whose code shapes the PDF bytes, so their versions are part of the cache key.
RENDERER_DISTRIBUTIONS = ("weasyprint", "pydyf")

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

NOT_REVIEWED = "Not yet clinically reviewed"
DATE_NOT_KNOWN = "Date not known"

_SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
_ENVIRONMENT_LOCK = threading.Lock()


@dataclass(frozen=True)
class HandoutLanguage:
    """The language a handout is printed in: its labels, CLDR locale, script (typefaces, direction) and status line."""

    locale: str
    labels: Mapping[str, str]
    script: Script
    #: How the translation was made and checked, in its own language (empty for the English source).
    status: str = ""

    @property
    def direction(self) -> str:
        """``ltr`` or ``rtl``, for the ``dir`` attribute."""
        return self.script.direction


ENGLISH = HandoutLanguage("en", LABELS, LATIN)


class PdfRenderError(RuntimeError):
    """A handout could not be rendered cleanly, so none is written.

    WeasyPrint logged an error, the render asked for something it may not load, the bundled
    font is missing, or WeasyPrint cannot run in this installation.
    """


class UnknownPaper(PdfRenderError, ValueError):
    """A paper size that is not one of :data:`PAPER_SIZES`."""


def render_pdf(
    article: Article, *, paper: str = DEFAULT_PAPER, large_print: bool = False, language: HandoutLanguage | None = None
) -> bytes:
    """Render ``article`` as a printable PDF handout.

    ``paper`` is ``a4`` or ``letter``; ``large_print`` sets text in 18 pt (16 pt at the least)
    instead of 12 pt. ``language`` sets a translated article in its labels, typefaces and
    direction (default: English). Raises :class:`UnknownPaper` for an unknown paper size and
    :class:`PdfRenderError` when the render is not clean.
    """
    _check_paper(paper)
    language = language or ENGLISH
    html = render_html(article, large_print=large_print, language=language)
    with tempfile.TemporaryDirectory(prefix="immunopipe-fonts-") as scratch:
        # The labels too: CSS prints some of them ("Page X of Y", the run-in colon), and digits for page numbers.
        printed = html + "".join(language.labels.values()) + "0123456789"
        script_fonts = _cut_large_fonts(_script_font_files(language), printed, Path(scratch))
        return _render(article, html, paper, language, script_fonts)


def _render(
    article: Article, html: str, paper: str, language: HandoutLanguage, script_fonts: dict[str, tuple[Path, int, str]]
) -> bytes:
    """Lay out ``html`` and write the PDF, loading nothing but the given font files."""
    fonts = {**_font_files(), **script_fonts}
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from immunopipe.export.fetcher import AssetFetcher

    fetcher = AssetFetcher({url: (path, "font/ttf") for url, (path, _, _) in fonts.items()})
    font_config = FontConfiguration()
    whole_fonts = _typeface_covers(html, fonts)
    # A translation must print every character in its own typefaces (the validation checked them).
    translated = language is not ENGLISH
    with (
        _weasyprint_errors(missing_glyphs=translated) as errors,
        _fixed_font_timestamp(article, needed=not whole_fonts),
    ):
        stylesheets = [
            weasyprint.CSS(string=_font_face_rules(_font_files()), url_fetcher=fetcher, font_config=font_config),
            weasyprint.CSS(
                string=(TEMPLATES / STYLESHEET_NAME).read_text("utf-8"), url_fetcher=fetcher, font_config=font_config
            ),
            weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", url_fetcher=fetcher),
            weasyprint.CSS(
                string=_language_rules(language, script_fonts), url_fetcher=fetcher, font_config=font_config
            ),
        ]
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets,
            font_config=font_config,
            pdf_variant=PDF_VARIANT,
            pdf_identifier=True,
            full_fonts=whole_fonts,
        )
    problems = [*errors, *(f"refused to load {url}" for url in fetcher.refused), *fetcher.failed]
    if problems:
        raise PdfRenderError(f"handout {article.id!r} did not render cleanly: {'; '.join(problems)}")
    return pdf


def render_pdfs(
    articles: Sequence[Article],
    *,
    paper: str = DEFAULT_PAPER,
    large_print: bool = False,
    jobs: int = 1,
    cache_dir: Path | None = None,
    languages: Sequence[HandoutLanguage | None] | None = None,
) -> list[bytes]:
    """Handouts for ``articles``, in the same order, as :func:`render_pdf` renders them.

    With a ``cache_dir``, handouts rendered before from the same inputs are reused from
    ``cache_dir/pdf/`` and new ones are stored there. When more than one handout is left to
    render and ``jobs`` > 1, they are rendered in a pool of up to ``jobs`` processes; the
    bytes are the same either way. ``languages`` gives each article's language (default: English).
    Raises like :func:`render_pdf`.
    """
    from immunopipe.export.pdf_cache import HandoutCache

    _check_paper(paper)
    cache = HandoutCache(cache_dir, render_fingerprint(paper, large_print)) if cache_dir else None
    chosen = list(languages) if languages is not None else [None] * len(articles)
    keys = [cache.key(article_inputs(a, lang)) for a, lang in zip(articles, chosen, strict=True)] if cache else []
    pdfs: list[bytes | None] = [cache.get(key) for key in keys] if cache else [None] * len(articles)
    missing = [index for index, pdf in enumerate(pdfs) if pdf is None]
    todo = [(articles[index], chosen[index]) for index in missing]
    rendered = _render_all(todo, paper, large_print, jobs)
    for index, pdf in zip(missing, rendered, strict=True):
        pdfs[index] = pdf
        if cache:
            cache.put(keys[index], pdf)
    return [pdf for pdf in pdfs if pdf is not None]


def render_fingerprint(paper: str, large_print: bool) -> str:
    """A digest of everything besides the article that shapes a handout's bytes.

    The installed code and data (:func:`immunopipe.fingerprint.code_fingerprint`: every module,
    the template and stylesheet), the font files, the versions of WeasyPrint and pydyf, the paper
    and the print size. (Not the system's Pango and HarfBuzz, which cannot be asked without
    loading WeasyPrint: after upgrading them, export with ``--no-cache`` once.)
    """
    digest = hashlib.sha256(f"{code_fingerprint()}\0{paper}\0{large_print}\0".encode())
    for distribution in RENDERER_DISTRIBUTIONS:
        digest.update(f"{distribution} {_distribution_version(distribution)}\0".encode())
    inputs = [path for path, _, _ in _font_files().values()]
    inputs += _script_font_paths()
    for path in inputs:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def article_inputs(article: Article, language: HandoutLanguage | None = None) -> bytes:
    """What a handout takes from ``article``, its language and the environment: data, labels, PDF dates."""
    words = [language.locale, dict(language.labels), language.status, language.script.name] if language else None
    return json.dumps([article.to_data(), document_dates(article), words], ensure_ascii=False).encode()


def _render_all(
    articles: Sequence[tuple[Article, HandoutLanguage | None]], paper: str, large_print: bool, jobs: int
) -> list[bytes]:
    """Render ``articles`` (each with its language) in order: in this process, or in a pool when several are left."""
    if jobs <= 1 or len(articles) <= 1:
        return [render_pdf(a, paper=paper, large_print=large_print, language=lang) for a, lang in articles]
    _weasyprint()  # loaded once here, so that forked workers do not each load it again
    tasks = [(article, paper, large_print, language) for article, language in articles]
    with ProcessPoolExecutor(max_workers=min(jobs, len(articles))) as pool:
        try:
            return list(pool.map(_render_task, tasks))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _render_task(task: tuple[Article, str, bool, HandoutLanguage | None]) -> bytes:
    article, paper, large_print, language = task
    return render_pdf(article, paper=paper, large_print=large_print, language=language)


def _check_paper(paper: str) -> None:
    if paper not in PAPER_SIZES:
        raise UnknownPaper(f"unknown paper size {paper!r}: choose one of {', '.join(PAPER_SIZES)}")


def _weasyprint() -> ModuleType:
    """The ``weasyprint`` module, or :class:`PdfRenderError` when its libraries are missing."""
    # fontTools warns about harmless quirks of font tables while subsetting (Almarai's OS/2
    # version, say); such notes are not the reader's concern and must not clutter the report.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfRenderError(f"PDF export is not available in this installation: {exc}") from exc
    return weasyprint


def _distribution_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def render_html(article: Article, *, large_print: bool = False, language: HandoutLanguage | None = None) -> str:
    """The handout as an HTML document (the input WeasyPrint lays out)."""
    language = language or ENGLISH
    labels = language.labels
    editorial = article.editorial
    created, modified = document_dates(article)
    review = review_status(editorial, labels, language.locale)
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        L=labels,
        locale=language.locale,
        direction=language.direction,
        translation_status=language.status,
        article=article,
        editorial=editorial,
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
        UNKNOWN=UNKNOWN,
    )


def long_date(value: str, locale: str = "en") -> str:
    """``2026-11-26`` as ``26 November 2026`` (in ``locale``'s words); ``unknown`` as :data:`DATE_NOT_KNOWN`."""
    day = parse_date(value)
    if locale != "en":
        return LABELS["date-not-known"] if day is None else _babel_date(day, "long", locale)
    return DATE_NOT_KNOWN if day is None else f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(value: str, locale: str = "en", labels: Mapping[str, str] = LABELS) -> str:
    """``2026-11-26`` as ``26 Nov 2026`` (for the footer); ``unknown`` as ``not known``."""
    day = parse_date(value)
    if day is None:
        return labels["date-not-known"]
    if locale != "en":
        return _babel_date(day, "medium", locale)
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def _babel_date(day: date, length: str, locale: str) -> str:
    """``day`` as ``locale`` writes it, month names and numerals included (Unicode CLDR, through Babel)."""
    from babel.dates import format_date

    return format_date(day, length, locale=locale.replace("-", "_"))


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
    when = long_date(review.date, locale)
    return fill(labels["clinically-reviewed-by"], name=reviewer.name, credentials=reviewer.credentials, date=when)


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
    def dated(context: Mapping[str, object], value: str, length: str = "long") -> str:
        labels, locale = context["L"], str(context["locale"])
        return long_date(value, locale) if length == "long" else short_date(value, locale, labels)  # type: ignore[arg-type]

    @jinja2.pass_context
    def ended(context: Mapping[str, object], text: str) -> str:
        return sentence(text, context["L"]["full-stop"])  # type: ignore[index]

    @jinja2.pass_context
    def short(context: Mapping[str, object], value: str) -> str:
        return dated(context, value, "short")

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
        return _number(value, str(context["locale"]))

    environment.filters.update(
        long_date=dated,
        short_date=short,
        medicine_name=named,
        sentence=ended,
        word_list=listed,
        consideration_label=lead_in,
        fill=lambda text, **values: fill(text, **{key: str(value) for key, value in values.items()}),
        number=number,
    )
    return environment


def _number(value: int, locale: str) -> str:
    """``value`` in the digits ``locale`` writes numbers with (Unicode CLDR, through Babel)."""
    if locale == "en":
        return str(value)
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale.replace("-", "_"))


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


def _source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` if it is set to a whole number of seconds, else ``None``."""
    value = os.environ.get(_SOURCE_DATE_EPOCH, "").strip()
    return int(value) if value.isdigit() else None


def _source_date_epoch_date() -> str | None:
    epoch = _source_date_epoch()
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _typeface_covers(text: str, fonts: dict[str, tuple[Path, int, str]]) -> bool:
    """True when every font file in ``fonts`` has every character of ``text`` (but line breaks)."""
    needed = {ord(character) for character in text} - {ord("\n"), ord("\r"), ord("\t")}
    return all(needed <= _code_points(path) for path, _, _ in fonts.values())


@cache
def _code_points(font_file: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(font_file, lazy=True) as font:
            return frozenset(font.getBestCmap())
    except (OSError, TTLibError) as exc:
        raise PdfRenderError(f"cannot read {font_file}: {getattr(exc, 'strerror', None) or exc}") from exc


def _fixed_font_timestamp(article: Article, *, needed: bool) -> AbstractContextManager[None]:
    """Pin the time fontTools stamps into subset fonts, when fonts are subset (``needed``)."""
    return _font_timestamp(_font_epoch(article)) if needed else nullcontext()


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


#: The start of the warning WeasyPrint logs when no font has a glyph for a character.
MISSING_GLYPH = ".notdef glyph rendered"


class _ErrorRecords(logging.Handler):
    """Collects ERROR records that this thread makes WeasyPrint log (and missing glyphs, if asked)."""

    def __init__(self, *, missing_glyphs: bool) -> None:
        super().__init__(logging.WARNING if missing_glyphs else logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if record.levelno >= logging.ERROR or message.startswith(MISSING_GLYPH):
            self.messages.append(message)


@contextmanager
def _weasyprint_errors(*, missing_glyphs: bool = False) -> Iterator[list[str]]:
    """Collect WeasyPrint's errors while rendering; with ``missing_glyphs``, characters no font has too."""
    logger = logging.getLogger("weasyprint")
    handler = _ErrorRecords(missing_glyphs=missing_glyphs)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _font_files() -> dict[str, tuple[Path, int, str]]:
    """The bundled font's files as ``{asset URL: (file, weight, style)}``.

    Raises :class:`PdfRenderError` when the font package or one of its files is missing: every
    handout is set in the same typeface, so that it prints (and paginates) the same everywhere.
    """
    try:
        import fontpkg
    except ImportError:
        raise PdfRenderError(
            f"the handout typeface {FONT_FAMILY} is not installed: reinstall immunopipe (it needs {FONT_PACKAGE})"
        ) from None
    files: dict[str, tuple[Path, int, str]] = {}
    for weight, style in FONT_FACES:
        try:
            path = fontpkg.path(FONT_FAMILY, weight, style)
        except fontpkg.FontpkgError as exc:
            raise PdfRenderError(f"the handout typeface {FONT_FAMILY} is incomplete: {exc}") from None
        if not path.is_file():
            raise PdfRenderError(f"a file of the handout typeface {FONT_FAMILY} is missing: {path}")
        files[f"{ASSET_SCHEME}fonts/{path.name}"] = (path, weight, style)
    return files


def _font_face_rules(fonts: dict[str, tuple[Path, int, str]]) -> str:
    """``@font-face`` rules for the bundled font files (fixed text, never content)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; src: url("{url}"); }}'
        for url, (_, weight, style) in fonts.items()
    )


def _script_font_files(language: HandoutLanguage) -> dict[str, tuple[Path, int, str]]:
    """The font files of ``language``'s script besides the handout typeface: ``{asset URL: (file, weight, family)}``."""
    from immunopipe.translation.scripts import ATKINSON, TypefaceMissing

    files: dict[str, tuple[Path, int, str]] = {}
    for typeface in language.script.typefaces:
        if typeface == ATKINSON:
            continue
        for weight in typeface.weights:
            try:
                path = font_file(typeface, weight)
            except TypefaceMissing as exc:
                raise PdfRenderError(str(exc)) from None
            files[f"{ASSET_SCHEME}fonts/{path.name}"] = (path, weight, typeface.family)
    return files


def _language_rules(language: HandoutLanguage, script_fonts: dict[str, tuple[Path, int, str]]) -> str:
    """CSS for ``language``: its typefaces first, and "Page X of Y" in its words (as an escaped CSS string)."""
    rules = []
    for url, (_path, weight, family) in script_fonts.items():
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{url}"); }}')
    families = ", ".join(f'"{typeface.family}"' for typeface in language.script.typefaces)
    rules.append(f"html {{ font-family: {families}, sans-serif; }}")
    before, _, rest = language.labels["page-of"].partition("{page}")
    middle, _, after = rest.partition("{pages}")
    content = f"{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) {_css_string(after)}"
    rules.append(f".page-number::after {{ content: {content}; }}")
    colon = _css_string(language.labels["colon"].strip())
    rules.append(f".run-in > h2::after, .run-in > h3::after {{ content: {colon}; }}")
    return "\n".join(rules)


#: Font files larger than this are cut down to the handout's characters before WeasyPrint sees them.
LARGE_FONT_BYTES = 2 * 1024 * 1024


def _cut_large_fonts(
    fonts: dict[str, tuple[Path, int, str]], text: str, folder: Path
) -> dict[str, tuple[Path, int, str]]:
    """``fonts``, with each file over :data:`LARGE_FONT_BYTES` replaced by a copy holding only ``text``'s characters.

    WeasyPrint subsets a font keeping every glyph id, so for the 65,000 glyphs of a Chinese
    font it measures each one: about 7 s a handout. Cut first, the font keeps only what the
    handout prints (all layout features kept, timestamps unchanged, so the bytes are the same
    every time) and the render takes a few times as long as a Latin handout instead of 25 times.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    cut: dict[str, tuple[Path, int, str]] = {}
    for url, (path, weight, family) in fonts.items():
        if path.stat().st_size <= LARGE_FONT_BYTES:
            cut[url] = (path, weight, family)
            continue
        options = subset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True)
        # Bounding boxes are not recomputed (the whole font's still enclose the glyphs kept): 0.8 s saved.
        with TTFont(path, recalcTimestamp=False, recalcBBoxes=False) as font:
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=text)
            subsetter.subset(font)
            small = folder / path.name
            font.save(small)
        cut[url] = (small, weight, family)
    return cut


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, every character but letters, digits and spaces escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text) + '"'


def _script_font_paths() -> list[Path]:
    """Every installed font file of the scripts translations are printed in (for the cache key)."""
    from immunopipe.translation.scripts import SCRIPTS, TypefaceMissing

    paths = []
    for script in SCRIPTS.values():
        for typeface in script.typefaces:
            for weight in typeface.weights:
                try:
                    paths.append(font_file(typeface, weight))
                except TypefaceMissing:
                    continue
    return list(dict.fromkeys(paths))


def handout_language(translation: Translation) -> HandoutLanguage:
    """How ``translation`` is printed: its labels, locale, script and its status in its own words."""
    from immunopipe.translation.facts import label_texts
    from immunopipe.translation.scripts import script_for

    labels = {**LABELS, **label_texts(translation.texts)}
    locale = translation.language
    status = translation.status
    made = status["translated_by"]
    if status["method"] == "professional" and isinstance(made, dict):
        lines = [fill(labels["translation-professional"], name=made["name"], date=long_date(made["date"], locale))]
    else:
        lines = [labels["translation-machine-assisted"]]
    checked = status["checked_by"]
    if isinstance(checked, dict):
        lines.append(fill(labels["translation-checked"], name=checked["name"], date=long_date(checked["date"], locale)))
    else:
        lines.append(labels["translation-not-checked"])
    return HandoutLanguage(locale, labels, script_for(locale), " ".join(lines))
