"""The handout typeface: where its files are, and which characters a set of fonts can print.

The PDF exporter embeds these files and the ``text-glyph-missing`` rule reads their character
maps, so both know the same fonts. :func:`missing_characters` answers "which characters of this
text does no font of this set have?" for any font files (another script's fonts too); each
file's character map is read once per process.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from immunopipe.errors import ImmunopipeError

FONT_FAMILY = "Atkinson Hyperlegible"
FONT_PACKAGE = "fontpkg-atkinson-hyperlegible"
#: The faces handouts use: (weight, style).
FONT_FACES: tuple[tuple[int, str], ...] = ((400, "normal"), (700, "normal"), (400, "italic"), (700, "italic"))

#: Unicode categories of characters that print nothing: controls, format characters, private use,
#: line and paragraph separators (``text-invisible-character`` reports them), and spaces.
_UNPRINTED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"})


class FontUnavailable(ImmunopipeError):
    """The handout typeface (or one of its files) is not installed or cannot be read."""


@dataclass(frozen=True)
class FontFace:
    """One file of a typeface: its path, weight and style."""

    path: Path
    weight: int
    style: str


def handout_faces() -> tuple[FontFace, ...]:
    """The files of the handout typeface, one per face of :data:`FONT_FACES`.

    Raises :class:`FontUnavailable` when the font package or one of its files is missing: every
    handout is set in the same typeface, so that it prints (and paginates) the same everywhere.
    """
    try:
        import fontpkg
    except ImportError:
        raise FontUnavailable(
            f"the handout typeface {FONT_FAMILY} is not installed: reinstall immunopipe (it needs {FONT_PACKAGE})"
        ) from None
    faces = []
    for weight, style in FONT_FACES:
        try:
            path = Path(fontpkg.path(FONT_FAMILY, weight, style))
        except fontpkg.FontpkgError as exc:
            raise FontUnavailable(f"the handout typeface {FONT_FAMILY} is incomplete: {exc}") from None
        if not path.is_file():
            raise FontUnavailable(f"a file of the handout typeface {FONT_FAMILY} is missing: {path}")
        faces.append(FontFace(path, weight, style))
    return tuple(faces)


@cache
def handout_font_files() -> tuple[Path, ...]:
    """The paths of :func:`handout_faces`, looked up once per process (the checks ask for every article)."""
    return tuple(face.path for face in handout_faces())


@cache
def code_points(font_file: Path) -> frozenset[int]:
    """Every character ``font_file`` has a glyph for (its best Unicode character map)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(font_file, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError) as exc:
        raise FontUnavailable(f"cannot read {font_file}: {getattr(exc, 'strerror', None) or exc}") from exc


@cache
def _available(font_files: tuple[Path, ...]) -> frozenset[int]:
    return frozenset().union(*map(code_points, font_files))


@cache
def _has_printable_ascii(font_files: tuple[Path, ...]) -> bool:
    return all(code in _available(font_files) for code in range(0x21, 0x7F))


def prints_nothing(character: str) -> bool:
    """True for characters no font needs a glyph for: spaces, controls, format characters, selectors."""
    code = ord(character)
    return (
        unicodedata.category(character) in _UNPRINTED_CATEGORIES
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def missing_characters(font_files: Iterable[Path], text: str) -> list[str]:
    """The characters of ``text`` that no font of ``font_files`` has, once each, in order of appearance.

    Characters that print nothing (:func:`prints_nothing`) need no glyph and are never missing.
    """
    fonts = tuple(font_files)
    if text.isascii() and text.isprintable() and _has_printable_ascii(fonts):
        return []
    available = _available(fonts)
    missing = {character for character in set(text) if ord(character) not in available}
    return sorted((character for character in missing if not prints_nothing(character)), key=text.index)


def covers(font_files: Iterable[Path], text: str) -> bool:
    """True when some font of ``font_files`` has every character of ``text`` that prints."""
    return not missing_characters(font_files, text)
