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

A translation is set in its script's typefaces (:mod:`immunopipe.export.pdf_scripts`) and must
print every character in them: a glyph no font has fails its render, as does any ERROR.

Only the package's own stylesheet and font files, and a clinic profile's checked logo and QR
code, can be loaded (see :mod:`immunopipe.export.fetcher`); any ERROR WeasyPrint logs fails the
render. Many handouts at once (the render cache and the process pool) are
:mod:`immunopipe.export.pdf_pool`'s job; :func:`iter_pdfs` is re-exported here.

Importing this module is cheap: Jinja2 and WeasyPrint are imported when a handout is rendered.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from immunopipe.errors import ImmunopipeError
from immunopipe.export.handout import (
    ASSET_SCHEME,
    SOURCE_DATE_EPOCH,
    footer_texts,
    profile_assets,
    render_html,
    source_date_epoch,
)
from immunopipe.export.handout_language import ENGLISH, HandoutLanguage
from immunopipe.fonts import FONT_FAMILY, FontUnavailable, code_points, handout_faces
from immunopipe.formats import DEFAULT_PAPER, PAPER_SIZES
from immunopipe.model import Article, parse_date
from immunopipe.profile import Profile

#: Width of the text area (page width less the side margins: 10 mm on A4, 8 mm on Letter) per
#: paper, in points.
TEXT_WIDTH_PT: dict[str, float] = {"a4": (210 - 20) / 25.4 * 72, "letter": 8.5 * 72 - 16 / 25.4 * 72}

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
    font is missing, a translation has a character its typefaces lack, or WeasyPrint cannot run
    in this installation.
    """


class UnknownPaper(PdfRenderError, ValueError):
    """A paper size that is not one of :data:`PAPER_SIZES`."""


def render_pdf(
    article: Article,
    *,
    paper: str = DEFAULT_PAPER,
    large_print: bool = False,
    profile: Profile | None = None,
    language: HandoutLanguage | None = None,
) -> bytes:
    """Render ``article`` as a printable PDF handout.

    ``paper`` is ``a4`` or ``letter``; ``large_print`` sets text in 18 pt (16 pt at the least)
    instead of 12 pt; a clinic ``profile`` adds the clinic's header and contact box; ``language``
    sets a translated article in its labels, typefaces and direction (default: English). Raises
    :class:`UnknownPaper` for an unknown paper size and
    :class:`PdfRenderError` when the render is not clean.
    """
    from immunopipe.export.pdf_scripts import cut_large_fonts, script_font_files
    from immunopipe.translation.scripts import TypefaceMissing

    check_paper(paper)
    language = language or ENGLISH
    html = render_html(article, large_print=large_print, profile=profile, language=language)
    if language == ENGLISH:
        return _render(article, html, paper, large_print, profile, language, {})
    try:
        script_fonts = script_font_files(language)
    except TypefaceMissing as exc:
        raise PdfRenderError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="immunopipe-fonts-") as scratch:
        # The labels too: CSS prints some of them ("Page X of Y"), and digits for page numbers.
        printed = html + "".join(language.labels.values()) + "0123456789"
        return _render(
            article, html, paper, large_print, profile, language, cut_large_fonts(script_fonts, printed, Path(scratch))
        )


def _render(
    article: Article,
    html: str,
    paper: str,
    large_print: bool,
    profile: Profile | None,
    language: HandoutLanguage,
    script_fonts: dict[str, tuple[Path, int, str]],
) -> bytes:
    """Lay out ``html`` and write the PDF, loading nothing but the given font files and the profile's images.

    The stylesheets, and for a handout in English the loaded typeface, are the ones this
    process's earlier handouts used (:mod:`immunopipe.export.pdf_styles`).
    """
    from immunopipe.export.pdf_scripts import language_rules

    bundled = font_files()
    fonts = {**bundled, **script_fonts}
    weasyprint = weasyprint_module()
    from immunopipe.export import pdf_styles
    from immunopipe.export.fetcher import AssetFetcher

    # A translation must print every character in its own typefaces (the validation checked them).
    translated = language != ENGLISH
    assets: dict[str, tuple[Path | bytes, str]] = {
        url: (path, "font/ttf") for url, (path, _, _) in script_fonts.items()
    }
    assets.update(profile_assets(article, profile))
    fetcher = AssetFetcher(assets)
    whole_fonts = _typeface_covers(html, fonts)
    with (
        _weasyprint_errors(missing_glyphs=translated) as errors,
        _fixed_font_timestamp(article, needed=not whole_fonts),
        _image_errors(article, profile),
        ExitStack() as stack,
    ):
        fonts_loaded = pdf_styles.bundled_fonts(bundled, _font_face_rules(bundled), shared=not translated)
        try:
            loaded = stack.enter_context(fonts_loaded)
        except pdf_styles.FontFacesUnavailable as exc:
            raise PdfRenderError(f"handout {article.id!r} did not render cleanly: {exc}") from None
        stylesheets = [
            loaded.faces,
            *pdf_styles.stylesheets(paper),
            weasyprint.CSS(string=page_rules(article, paper, large_print, language), url_fetcher=fetcher),
        ]
        if translated:
            stylesheets.append(
                weasyprint.CSS(
                    string=language_rules(language, script_fonts), url_fetcher=fetcher, font_config=loaded.font_config
                )
            )
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=stylesheets,
            font_config=loaded.font_config,
            pdf_variant=PDF_VARIANT,
            pdf_identifier=True,
            full_fonts=whole_fonts,
            finisher=_finish,
        )
    problems = [*errors, *(f"refused to load {url}" for url in fetcher.refused), *fetcher.failed]
    if problems:
        raise PdfRenderError(f"handout {article.id!r} did not render cleanly: {'; '.join(problems)}")
    return pdf


def _finish(document: Any, pdf: Any) -> None:
    """Complete the tag tree, then turn every object into bytes once (the ``write_pdf`` finisher)."""
    from immunopipe.export import pdf_objects, pdf_tags

    pdf_tags.complete_structure(document, pdf)
    pdf_objects.serialise_objects(pdf)


def page_rules(article: Article, paper: str, large_print: bool, language: HandoutLanguage = ENGLISH) -> str:
    """The ``@page`` rules of one handout: its paper size, and a bottom margin its footer fits in.

    The footer is printed whole on every page (the source title has up to 300 characters), so
    the margin is sized from its text: each footer paragraph's width in the bold face (wider
    than the regular one), plus :data:`FOOTER_WRAP_ALLOWANCE` for the ends of wrapped lines,
    over the text width, at the footer's line height. A translation's footer is measured in its
    script's heaviest face first (Almarai Bold, Noto Sans SC), then in the handout's; a character
    none has counts as an em.
    """
    size = FOOTER_FONT_PT[large_print]
    width = TEXT_WIDTH_PT[paper]
    faces = _measuring_faces(language)
    lines = sum(
        max(1, math.ceil(_text_width(text, size, faces) * FOOTER_WRAP_ALLOWANCE / width))
        for text in footer_texts(article, language)
    )
    margin = max(MIN_BOTTOM_MARGIN_PT[paper, large_print], FOOTER_TOP_PT + lines * size * FOOTER_LINE_HEIGHT + 6)
    page = "large-print" if large_print else ""
    return f"@page {{ size: {PAPER_SIZES[paper]}; }}\n@page {page} {{ margin-bottom: {margin:.1f}pt; }}"


def _measuring_faces(language: HandoutLanguage) -> tuple[Path, ...]:
    """The font files a footer is measured in: the script's heaviest faces, then the handout's bold."""
    bold = next(path for path, weight, style in font_files().values() if weight == 700 and style == "normal")
    if language == ENGLISH:
        return (bold,)
    from immunopipe.export.pdf_scripts import script_font_files
    from immunopipe.translation.scripts import TypefaceMissing

    try:
        script_fonts = script_font_files(language).values()
    except TypefaceMissing as exc:
        raise PdfRenderError(str(exc)) from None
    heaviest: dict[str, tuple[int, Path]] = {}
    for path, weight, family in script_fonts:
        if weight >= heaviest.get(family, (0, path))[0]:
            heaviest[family] = (weight, path)
    return (*(path for _, path in heaviest.values()), bold)


def _text_width(text: str, size: float, faces: tuple[Path, ...]) -> float:
    """Width in points of ``text`` at ``size``, each character in the first of ``faces`` that has it (else an em)."""
    tables = [_advances(face) for face in faces]
    ems = 0.0
    for character in text:
        code = ord(character)
        ems += next((advances[code] / units for advances, units in tables if code in advances), 1.0)
    return ems * size


@cache
def _advances(face: Path) -> tuple[dict[int, int], int]:
    """The advance width of each character of the font file ``face``, and its units per em."""
    from fontTools.ttLib import TTFont

    with TTFont(face, lazy=True) as font:
        # Numbered glyph names spare reading a CFF font's charset (Noto Sans SC's 65,000 glyphs).
        font.setGlyphOrder([f"glyph{index}" for index in range(font["maxp"].numGlyphs)])
        metrics = font["hmtx"].metrics
        return {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}, font["head"].unitsPerEm


def check_paper(paper: str) -> None:
    if paper not in PAPER_SIZES:
        raise UnknownPaper(f"unknown paper size {paper!r}: choose one of {', '.join(PAPER_SIZES)}")


def weasyprint_module() -> ModuleType:
    """The ``weasyprint`` module, or :class:`PdfRenderError` when its libraries are missing."""
    # fontTools warns about harmless quirks of font tables while subsetting (Almarai's OS/2
    # version, say); such notes are not the reader's concern and must not clutter the report.
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from immunopipe.export.pdf_libraries import quick_library_lookup

    try:
        with quick_library_lookup():
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
def _image_errors(article: Article, profile: Profile | None) -> Iterator[None]:
    """Turn an image that fails to decode while the PDF is drawn (Pillow raises ``OSError``) into
    a :class:`PdfRenderError` naming the clinic logo, not an error of the output folder."""
    try:
        yield
    except OSError as exc:
        image = f"the clinic logo {profile.logo.name}" if profile and profile.logo else "an image"
        raise PdfRenderError(f"handout {article.id!r} did not render: {image} cannot be drawn ({exc})") from exc


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
    if name in ("iter_pdfs", "render_fingerprint", "article_inputs"):
        from immunopipe.export import pdf_pool

        return getattr(pdf_pool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
