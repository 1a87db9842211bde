"""Printable patient handouts: HTML from :mod:`immunopipe.export.handout` laid out as PDF bytes.

The handout's HTML is laid out by WeasyPrint with the package's print stylesheet and the bundled
Atkinson Hyperlegible font. The PDF is tagged and identified as PDF/UA-1 (its structure is
completed by :mod:`immunopipe.export.pdf_tags`), carries Title/Author/Subject/Keywords from the
content, and is byte-identical for the same content:

* PDF creation/modification dates come from ``editorial.dates``; when those are ``unknown`` the
  date of ``SOURCE_DATE_EPOCH`` is used if it is set, and otherwise the PDF has no dates;
* when the bundled font has every character of the handout, its files are embedded whole: that
  is faster than subsetting them with fontTools and stamps no time into them. Otherwise (a Greek
  letter, say) a system font stands in for the missing characters, and a whole system font would
  add hundreds of KiB, so every font is subset instead; fontTools then stamps subsets with the
  current time unless ``SOURCE_DATE_EPOCH`` is set, so it is set for the duration of the render
  (to the publication date, or :data:`FALLBACK_EPOCH`) and removed again.

Only the package's own stylesheet and font files, and a clinic profile's checked logo and QR
code, can be loaded (see :mod:`immunopipe.export.fetcher`); any ERROR WeasyPrint logs fails the
render. Many handouts at once (the render cache and the process pool) are
:mod:`immunopipe.export.pdf_pool`'s job; :func:`render_pdfs` is re-exported here.

Importing this module is cheap: Jinja2 and WeasyPrint are imported when a handout is rendered.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from immunopipe.errors import ImmunopipeError
from immunopipe.export.handout import (
    ASSET_SCHEME,
    SOURCE_DATE_EPOCH,
    STYLESHEET_NAME,
    TEMPLATES,
    footer_texts,
    profile_assets,
    render_html,
    source_date_epoch,
)
from immunopipe.fonts import FONT_FAMILY, FontUnavailable, code_points, handout_faces
from immunopipe.formats import DEFAULT_PAPER, PAPER_SIZES
from immunopipe.model import Article, parse_date
from immunopipe.profile import Profile

#: Width of the text area (page width less the side margins: 10 mm on A4, 8 mm on Letter) per
#: paper, in points.
TEXT_WIDTH_PT: dict[str, float] = {"a4": (210 - 20) / 25.4 * 72, "letter": 8.5 * 72 - 16 / 25.4 * 72}

#: The stylesheet added after the handout's own for a paper size (Letter: tighter margins and gaps).
PAPER_STYLESHEETS: dict[str, str] = {"letter": "handout-letter.css"}

#: The PDF/UA variant WeasyPrint writes: a tagged PDF with language and XMP metadata.
PDF_VARIANT = "pdf/ua-1"

#: Font timestamp used when neither the content nor ``SOURCE_DATE_EPOCH`` gives a date:
#: 1980-01-01T00:00:00Z, the earliest date ZIP files can hold, used by reproducible builds.
FALLBACK_EPOCH = 315_532_800


#: Footer text size (points) for standard and large print, as in the stylesheet.
FOOTER_FONT_PT = {False: 12.0, True: 16.0}
#: Room for the ends of wrapped lines (words do not fill a line to its last point).
FOOTER_WRAP_ALLOWANCE = 1.1
#: Footer line height (as in the stylesheet), the room above its text (rule and padding) and the
#: least bottom margin per (paper, large print), in points. Letter, 50 pt shorter than A4, gives
#: standard print no more bottom margin than its footer needs.
FOOTER_LINE_HEIGHT = 1.3
FOOTER_TOP_PT = 10.0
MIN_BOTTOM_MARGIN_PT: dict[tuple[str, bool], float] = {
    ("a4", False): 23 / 25.4 * 72,
    ("letter", False): 0.0,
    ("a4", True): 45 / 25.4 * 72,
    ("letter", True): 45 / 25.4 * 72,
}

_ENVIRONMENT_LOCK = threading.Lock()


class PdfRenderError(ImmunopipeError, RuntimeError):
    """A handout could not be rendered cleanly, so none is written.

    WeasyPrint logged an error, the render asked for something it may not load, the bundled
    font is missing, or WeasyPrint cannot run in this installation.
    """


class UnknownPaper(PdfRenderError, ValueError):
    """A paper size that is not one of :data:`PAPER_SIZES`."""


def render_pdf(
    article: Article, *, paper: str = DEFAULT_PAPER, large_print: bool = False, profile: Profile | None = None
) -> bytes:
    """Render ``article`` as a printable PDF handout.

    ``paper`` is ``a4`` or ``letter``; ``large_print`` sets text in 18 pt (16 pt at the least)
    instead of 12 pt; a clinic ``profile`` adds the clinic's header and contact box. Raises
    :class:`UnknownPaper` for an unknown paper size and
    :class:`PdfRenderError` when the render is not clean.
    """
    check_paper(paper)
    html = render_html(article, large_print=large_print, profile=profile)
    fonts = font_files()
    weasyprint = weasyprint_module()
    from weasyprint.text.fonts import FontConfiguration

    from immunopipe.export.fetcher import AssetFetcher
    from immunopipe.export.pdf_tags import complete_structure

    assets: dict[str, tuple[Path | bytes, str]] = {url: (path, "font/ttf") for url, (path, _, _) in fonts.items()}
    assets.update(profile_assets(article, profile))
    fetcher = AssetFetcher(assets)
    font_config = FontConfiguration()
    whole_fonts = _typeface_covers(html, fonts)
    paper_stylesheets = (
        [(TEMPLATES / PAPER_STYLESHEETS[paper]).read_text("utf-8")] if paper in PAPER_STYLESHEETS else []
    )
    with (
        _weasyprint_errors() as errors,
        _fixed_font_timestamp(article, needed=not whole_fonts),
        _image_errors(article, profile),
    ):
        stylesheets = [
            weasyprint.CSS(string=_font_face_rules(fonts), url_fetcher=fetcher, font_config=font_config),
            weasyprint.CSS(
                string=(TEMPLATES / STYLESHEET_NAME).read_text("utf-8"), url_fetcher=fetcher, font_config=font_config
            ),
            *(
                weasyprint.CSS(string=sheet, url_fetcher=fetcher, font_config=font_config)
                for sheet in paper_stylesheets
            ),
            weasyprint.CSS(string=page_rules(article, paper, large_print), url_fetcher=fetcher),
        ]
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets,
            font_config=font_config,
            pdf_variant=PDF_VARIANT,
            pdf_identifier=True,
            full_fonts=whole_fonts,
            finisher=complete_structure,
        )
    problems = [*errors, *(f"refused to load {url}" for url in fetcher.refused), *fetcher.failed]
    if problems:
        raise PdfRenderError(f"handout {article.id!r} did not render cleanly: {'; '.join(problems)}")
    return pdf


def page_rules(article: Article, paper: str, large_print: bool) -> str:
    """The ``@page`` rules of one handout: its paper size, and a bottom margin its footer fits in.

    The footer is printed whole on every page (the source title has up to 300 characters), so
    the margin is sized from its text: each footer paragraph's width in the bold face (wider
    than the regular one), plus :data:`FOOTER_WRAP_ALLOWANCE` for the ends of wrapped lines,
    over the text width, at the footer's line height.
    """
    size = FOOTER_FONT_PT[large_print]
    width = TEXT_WIDTH_PT[paper]
    lines = sum(
        max(1, math.ceil(_text_width(text, size) * FOOTER_WRAP_ALLOWANCE / width)) for text in footer_texts(article)
    )
    margin = max(MIN_BOTTOM_MARGIN_PT[paper, large_print], FOOTER_TOP_PT + lines * size * FOOTER_LINE_HEIGHT + 6)
    page = "large-print" if large_print else ""
    return f"@page {{ size: {PAPER_SIZES[paper]}; }}\n@page {page} {{ margin-bottom: {margin:.1f}pt; }}"


def _text_width(text: str, size: float) -> float:
    """Width in points of ``text`` set in the bold face at ``size`` (unknown characters as an em)."""
    advances, units = _bold_advances()
    return sum(advances.get(ord(character), units) for character in text) * size / units


@cache
def _bold_advances() -> tuple[dict[int, int], int]:
    """The bold face's advance width of each character, and its units per em."""
    from fontTools.ttLib import TTFont

    bold = next(path for path, weight, style in font_files().values() if weight == 700 and style == "normal")
    with TTFont(bold, lazy=True) as font:
        metrics = font["hmtx"].metrics
        return {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}, font["head"].unitsPerEm


def check_paper(paper: str) -> None:
    if paper not in PAPER_SIZES:
        raise UnknownPaper(f"unknown paper size {paper!r}: choose one of {', '.join(PAPER_SIZES)}")


def weasyprint_module() -> ModuleType:
    """The ``weasyprint`` module, or :class:`PdfRenderError` when its libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfRenderError(f"PDF export is not available in this installation: {exc}") from exc
    return weasyprint


def _typeface_covers(text: str, fonts: dict[str, tuple[Path, int, str]]) -> bool:
    """True when every font file in ``fonts`` has every character of ``text`` (but line breaks)."""
    needed = {ord(character) for character in text} - {ord("\n"), ord("\r"), ord("\t")}
    try:
        return all(needed <= code_points(path) for path, _, _ in fonts.values())
    except FontUnavailable as exc:
        raise PdfRenderError(str(exc)) from exc


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
        if source_date_epoch() is not None:
            yield
            return
        previous = os.environ.get(SOURCE_DATE_EPOCH)
        os.environ[SOURCE_DATE_EPOCH] = str(epoch)
        try:
            yield
        finally:
            if previous is None:
                del os.environ[SOURCE_DATE_EPOCH]
            else:
                os.environ[SOURCE_DATE_EPOCH] = previous


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
def _image_errors(article: Article, profile: Profile | None) -> Iterator[None]:
    """Turn an image that fails to decode while the PDF is drawn (Pillow raises ``OSError``) into
    a :class:`PdfRenderError` naming the clinic logo, not an error of the output folder."""
    try:
        yield
    except OSError as exc:
        image = f"the clinic logo {profile.logo.name}" if profile and profile.logo else "an image"
        raise PdfRenderError(f"handout {article.id!r} did not render: {image} cannot be drawn ({exc})") from exc


@contextmanager
def _weasyprint_errors() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = _ErrorRecords()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def font_files() -> dict[str, tuple[Path, int, str]]:
    """The bundled font's files (:func:`immunopipe.fonts.handout_faces`) as ``{asset URL: (file, weight, style)}``.

    Raises :class:`PdfRenderError` when the font package or one of its files is missing.
    """
    try:
        faces = handout_faces()
    except FontUnavailable as exc:
        raise PdfRenderError(str(exc)) from None
    return {f"{ASSET_SCHEME}fonts/{face.path.name}": (face.path, face.weight, face.style) for face in faces}


def _font_face_rules(fonts: dict[str, tuple[Path, int, str]]) -> str:
    """``@font-face`` rules for the bundled font files (fixed text, never content)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; src: url("{url}"); }}'
        for url, (_, weight, style) in fonts.items()
    )


def __getattr__(name: str) -> Any:
    """The many-handout API, kept importable from here (:mod:`immunopipe.export.pdf_pool`)."""
    if name in ("render_pdfs", "render_fingerprint", "article_inputs"):
        from immunopipe.export import pdf_pool

        return getattr(pdf_pool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
