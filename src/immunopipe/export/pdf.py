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
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, time
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from immunopipe import __version__
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

if TYPE_CHECKING:
    import jinja2

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
    """A handout could not be rendered cleanly, so none is written.

    WeasyPrint logged an error, the render asked for something it may not load, the bundled
    font is missing, or WeasyPrint cannot run in this installation.
    """


class UnknownPaper(PdfRenderError, ValueError):
    """A paper size that is not one of :data:`PAPER_SIZES`."""


def render_pdf(article: Article, *, paper: str = DEFAULT_PAPER, large_print: bool = False) -> bytes:
    """Render ``article`` as a printable PDF handout.

    ``paper`` is ``a4`` or ``letter``; ``large_print`` sets text in 18 pt (16 pt at the least)
    instead of 12 pt. Raises :class:`UnknownPaper` for an unknown paper size and
    :class:`PdfRenderError` when the render is not clean.
    """
    _check_paper(paper)
    html = render_html(article, large_print=large_print)
    fonts = _font_files()
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    from immunopipe.export.fetcher import AssetFetcher

    fetcher = AssetFetcher({url: (path, "font/ttf") for url, (path, _, _) in fonts.items()})
    font_config = FontConfiguration()
    whole_fonts = _typeface_covers(html, fonts)
    with _weasyprint_errors() as errors, _fixed_font_timestamp(article, needed=not whole_fonts):
        stylesheets = [
            weasyprint.CSS(string=_font_face_rules(fonts), url_fetcher=fetcher, font_config=font_config),
            weasyprint.CSS(
                string=(TEMPLATES / STYLESHEET_NAME).read_text("utf-8"), url_fetcher=fetcher, font_config=font_config
            ),
            weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}", url_fetcher=fetcher),
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
) -> list[bytes]:
    """Handouts for ``articles``, in the same order, as :func:`render_pdf` renders them.

    With a ``cache_dir``, handouts rendered before from the same inputs are reused from
    ``cache_dir/pdf/`` and new ones are stored there. When more than one handout is left to
    render and ``jobs`` > 1, they are rendered in a pool of up to ``jobs`` processes; the
    bytes are the same either way. Raises like :func:`render_pdf`.
    """
    from immunopipe.export.pdf_cache import HandoutCache

    _check_paper(paper)
    cache = HandoutCache(cache_dir, render_fingerprint(paper, large_print)) if cache_dir else None
    keys = [cache.key(article_inputs(article)) for article in articles] if cache else []
    pdfs: list[bytes | None] = [cache.get(key) for key in keys] if cache else [None] * len(articles)
    missing = [index for index, pdf in enumerate(pdfs) if pdf is None]
    rendered = _render_all([articles[index] for index in missing], paper, large_print, jobs)
    for index, pdf in zip(missing, rendered, strict=True):
        pdfs[index] = pdf
        if cache:
            cache.put(keys[index], pdf)
    return [pdf for pdf in pdfs if pdf is not None]


def render_fingerprint(paper: str, large_print: bool) -> str:
    """A digest of everything besides the article that shapes a handout's bytes.

    The renderer's code, template, stylesheet and font files, the versions of immunopipe,
    WeasyPrint and pydyf, the paper and the print size. (Not the system's Pango and HarfBuzz,
    which cannot be asked without loading WeasyPrint: after upgrading them, export with
    ``--no-cache`` once.)
    """
    digest = hashlib.sha256(f"{__version__}\0{paper}\0{large_print}\0".encode())
    for distribution in RENDERER_DISTRIBUTIONS:
        digest.update(f"{distribution} {_distribution_version(distribution)}\0".encode())
    inputs = [Path(__file__), Path(__file__).with_name("fetcher.py"), *sorted(TEMPLATES.iterdir())]
    inputs += [path for path, _, _ in _font_files().values()]
    for path in inputs:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def article_inputs(article: Article) -> bytes:
    """What a handout takes from ``article`` and the environment: its data and its PDF dates."""
    return json.dumps([article.to_data(), document_dates(article)], ensure_ascii=False).encode()


def _render_all(articles: Sequence[Article], paper: str, large_print: bool, jobs: int) -> list[bytes]:
    """Render ``articles`` in order: in this process, or in a pool when several are left."""
    if jobs <= 1 or len(articles) <= 1:
        return [render_pdf(article, paper=paper, large_print=large_print) for article in articles]
    _weasyprint()  # loaded once here, so that forked workers do not each load it again
    tasks = [(article, paper, large_print) for article in articles]
    with ProcessPoolExecutor(max_workers=min(jobs, len(articles))) as pool:
        try:
            return list(pool.map(_render_task, tasks))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _render_task(task: tuple[Article, str, bool]) -> bytes:
    article, paper, large_print = task
    return render_pdf(article, paper=paper, large_print=large_print)


def _check_paper(paper: str) -> None:
    if paper not in PAPER_SIZES:
        raise UnknownPaper(f"unknown paper size {paper!r}: choose one of {', '.join(PAPER_SIZES)}")


def _weasyprint() -> ModuleType:
    """The ``weasyprint`` module, or :class:`PdfRenderError` when its libraries are missing."""
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


def render_html(article: Article, *, large_print: bool = False) -> str:
    """The handout as an HTML document (the input WeasyPrint lays out)."""
    editorial = article.editorial
    created, modified = document_dates(article)
    review = review_status(editorial)
    template = _environment().get_template(TEMPLATE_NAME)
    return template.render(
        article=article,
        editorial=editorial,
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
    """The sources the handout's text rests on: the first source and every source no code cites.

    Sources cited only by codes (a code index such as WHO ATC) back the codes, which the
    handout leaves to the JSON and CSV exports along with those sources.
    """
    cited_by_codes = {code.source for code in article_codes(article)}
    sources = article.editorial.sources
    return [source for index, source in enumerate(sources) if index == 0 or source.id not in cited_by_codes]


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
