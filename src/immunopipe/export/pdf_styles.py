"""The stylesheets and the font configuration a process's handouts share, each made once.

Every handout used to parse the print stylesheet again and load the bundled typeface into a
fresh WeasyPrint ``FontConfiguration`` (its four files copied to a temporary folder, registered
with Fontconfig, and Pango's font cache started cold): about a fifth of a warm handout's time.
Here each thread of a process keeps

* the parsed stylesheets (the handout's, and each paper's), which hold no fonts, for every
  handout, translations included; and
* one font configuration with the bundled typeface loaded, for every handout in English. A
  translation loads its script's typefaces, cut to its own characters, into a configuration of
  its own (:func:`immunopipe.export.pdf.render_pdf`): a configuration keeps the first file it was
  given under a URL, and the next translation's cut has other characters.

The handout's bytes are the same as with fresh ones (``tests/test_pdf_styles.py`` renders both
ways). The shared configuration is remade when the typeface's files change (another font
package). Temporary font folders are removed when they are done with: a translation's after its
handout, a replaced configuration at once, a thread's when the thread's configuration is
collected, and all that are left when the process ends, pool workers included (they end
without ``atexit`` handlers). A process forked from one that rendered makes its own and leaves
its parent's folder alone.

Importing this module imports WeasyPrint; import it only when a PDF is rendered.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import util as multiprocessing_util
from pathlib import Path
from typing import Any

from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration

from immunopipe.export.fetcher import AssetFetcher
from immunopipe.export.handout import STYLESHEET_NAME, TEMPLATES

#: The stylesheet added after the handout's own for a paper size (Letter: tighter margins and gaps).
PAPER_STYLESHEETS: dict[str, str] = {"letter": "handout-letter.css"}

#: Font files as the renderer names them: ``{asset URL: (file, weight, style)}``.
Fonts = dict[str, tuple[Path, int, str]]


class ProcessFontConfiguration(FontConfiguration):
    """A font configuration whose temporary folder is removed on demand, and only by the process that made it.

    WeasyPrint removes the folder when the configuration is collected, which a reference cycle
    puts off to the next garbage collection: never, in a pool worker, which ends with
    ``os._exit``. And a forked child holding a copy would remove its parent's fonts.
    """

    #: The process that made it (None until it is made).
    owner: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.owner = os.getpid()
        _CONFIGURATIONS.add(self)

    def remove(self) -> None:
        """Remove the temporary folder (the configuration cannot load fonts afterwards)."""
        if os.getpid() == self.owner:
            super_del = getattr(super(), "__del__", None)
            if super_del is not None:
                super_del()

    def __del__(self) -> None:
        self.remove()


class FontFacesUnavailable(Exception):
    """The bundled typeface could not be loaded cleanly: the message says why."""


@dataclass(frozen=True)
class LoadedFonts:
    """A font configuration with the bundled typeface loaded, and the ``@font-face`` stylesheet that loaded it."""

    font_config: ProcessFontConfiguration
    faces: Any
    #: What was loaded: each file's URL, path, weight and style.
    key: tuple[tuple[str, str, int, str], ...]


@dataclass
class SharedStyles:
    """What one thread of one process keeps between handouts."""

    pid: int = field(default_factory=os.getpid)
    #: Parsed stylesheets by file name.
    sheets: dict[str, Any] = field(default_factory=dict)
    fonts: LoadedFonts | None = None


_LOCAL = threading.local()
_RELEASE_REGISTERED: set[int] = set()
#: Every configuration made and not yet collected, so that :func:`release` can remove their folders.
_CONFIGURATIONS: weakref.WeakSet[ProcessFontConfiguration] = weakref.WeakSet()


def stylesheets(paper: str) -> list[Any]:
    """The handout's parsed stylesheet and ``paper``'s, parsed once per thread."""
    names = [STYLESHEET_NAME, *([PAPER_STYLESHEETS[paper]] if paper in PAPER_STYLESHEETS else [])]
    sheets = _shared().sheets
    for name in names:
        if name not in sheets:
            sheets[name] = CSS(string=(TEMPLATES / name).read_text("utf-8"))
    return [sheets[name] for name in names]


@contextmanager
def bundled_fonts(fonts: Fonts, font_face_rules: str, *, shared: bool) -> Iterator[LoadedFonts]:
    """The bundled ``fonts`` loaded through ``font_face_rules`` (their ``@font-face`` rules).

    ``shared``: the configuration this thread keeps for every handout in English (made again
    when ``fonts`` are other files). Otherwise one of the handout's own, removed when it is done.
    Raises :class:`FontFacesUnavailable` when a file cannot be read; nothing is kept then, so
    the next handout tries again.
    """
    key = tuple((url, str(path), weight, style) for url, (path, weight, style) in fonts.items())
    if not shared:
        loaded = _load(fonts, font_face_rules, key)
        try:
            yield loaded
        finally:
            loaded.font_config.remove()
        return
    styles = _shared()
    if styles.fonts is None or styles.fonts.key != key:
        if styles.fonts is not None:
            styles.fonts.font_config.remove()
            styles.fonts = None
        styles.fonts = _load(fonts, font_face_rules, key)
    yield styles.fonts


def _load(fonts: Fonts, font_face_rules: str, key: tuple[tuple[str, str, int, str], ...]) -> LoadedFonts:
    font_config = ProcessFontConfiguration()
    fetcher = AssetFetcher({url: (path, "font/ttf") for url, (path, _, _) in fonts.items()})
    faces = CSS(string=font_face_rules, url_fetcher=fetcher, font_config=font_config)
    problems = [*(f"refused to load {url}" for url in fetcher.refused), *fetcher.failed]
    if problems:
        font_config.remove()
        raise FontFacesUnavailable("; ".join(problems))
    return LoadedFonts(font_config, faces, key)


def _shared() -> SharedStyles:
    """This thread's shared styles, made anew in a process forked from one that had them."""
    shared: SharedStyles | None = getattr(_LOCAL, "styles", None)
    if shared is None or shared.pid != os.getpid():
        shared = SharedStyles()
        _LOCAL.styles = shared
        _release_at_exit()
    return shared


def _release_at_exit() -> None:
    """Drop the shared styles when this process ends, so WeasyPrint removes its temporary font folders.

    ``multiprocessing``'s finalizers run at the end of the main process (through ``atexit``)
    and of its pool workers, which end with ``os._exit``.
    """
    pid = os.getpid()
    if pid not in _RELEASE_REGISTERED:
        _RELEASE_REGISTERED.add(pid)
        multiprocessing_util.Finalize(None, release, exitpriority=0)


def release() -> None:
    """Drop what every thread of this process shares and remove its font folders; the next handout makes them anew.

    Call it while no handout is being rendered (the process ends, say).
    """
    global _LOCAL
    _LOCAL = threading.local()
    for font_config in list(_CONFIGURATIONS):
        font_config.remove()
