"""What each language's handout is set in: its typefaces, its direction, and which characters they lack.

A language is matched by its script (from the BCP 47 tag, e.g. ``zh-Hans`` is Han, ``ar`` is
Arabic). Each script's typeface comes from an installed Python package, so every machine prints
the same handout. Latin-script languages use the handout's own typeface, Atkinson Hyperlegible.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from immunopipe.errors import ImmunopipeError


@dataclass(frozen=True)
class Typeface:
    """One font family the handout may use: its CSS name, the package with its files, and their weights."""

    family: str
    package: str
    weights: tuple[int, ...] = (400, 700)


ATKINSON = Typeface("Atkinson Hyperlegible", "fontpkg-atkinson-hyperlegible")
#: Almarai (OFL), a sans-serif Arabic designed for legibility, with a real bold. Noto Sans Arabic
#: was tried first: it draws dotted letters from shared dotless shapes, so the text copied or read
#: aloud from the PDF came out with wrong letters (6 of 26 words of a test sentence read back).
ALMARAI = Typeface("Almarai", "fontpkg-almarai")
#: Noto Sans SC (OFL) in its regular weight only; bold is synthesised from it.
NOTO_SANS_SC = Typeface("Noto Sans SC", "pylopdf-fonts-zh-cn", weights=(400,))


@dataclass(frozen=True)
class Script:
    """How a script is set: typefaces in the order tried for each character, and the direction."""

    name: str
    typefaces: tuple[Typeface, ...]
    direction: str = "ltr"


LATIN = Script("Latin", (ATKINSON,))
#: Arabic in Almarai, which also has the Latin letters of names such as "mTOR".
ARABIC = Script("Arabic", (ALMARAI, ATKINSON), direction="rtl")
#: Simplified Chinese: Noto Sans SC has Han, CJK punctuation and Latin, so it sets everything.
HAN_SIMPLIFIED = Script("Han (Simplified)", (NOTO_SANS_SC, ATKINSON))

SCRIPTS: dict[str, Script] = {"Latn": LATIN, "Arab": ARABIC, "Hans": HAN_SIMPLIFIED}


class UnsupportedScript(ImmunopipeError, ValueError):
    """A language whose script no bundled typeface sets."""


def script_for(language: str) -> Script:
    """The script ``language`` (a valid BCP 47 tag) is written in, as immunopipe sets it."""
    import langcodes

    code = langcodes.Language.get(language).maximize().script or ""
    if code not in SCRIPTS:
        supported = ", ".join(SCRIPTS)
        raise UnsupportedScript(f"no typeface is bundled for the {code or 'unknown'} script (supported: {supported})")
    return SCRIPTS[code]


class TypefaceMissing(ImmunopipeError, RuntimeError):
    """A typeface package is not installed, or lacks its font file."""


def font_file(typeface: Typeface, weight: int = 400) -> Path:
    """The font file of ``typeface`` in ``weight`` (one of its :attr:`~Typeface.weights`) from its package."""
    if typeface.package == NOTO_SANS_SC.package:
        try:
            import pylopdf_fonts_zh_cn
        except ImportError:
            raise TypefaceMissing(_reinstall(typeface)) from None
        path = pylopdf_fonts_zh_cn.sans_path()
    else:
        import fontpkg

        try:
            path = fontpkg.path(typeface.family, weight, "normal")
        except fontpkg.FontpkgError:
            raise TypefaceMissing(_reinstall(typeface)) from None
    if not path.is_file():
        raise TypefaceMissing(f"a file of the typeface {typeface.family} is missing: {path}")
    return path


def _reinstall(typeface: Typeface) -> str:
    return f"the typeface {typeface.family} is not installed: reinstall immunopipe (it needs {typeface.package})"


@cache
def code_points(path: Path) -> frozenset[int]:
    """Every character ``path``'s font has a glyph for (from its cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        # Glyph names are not needed, only which characters have a glyph: numbered names spare
        # reading a CFF font's charset (0.2 s for Noto Sans SC).
        font.setGlyphOrder([f"glyph{index}" for index in range(font["maxp"].numGlyphs)])
        return frozenset(font.getBestCmap())


#: Characters that are layout, not glyphs: line breaks, tabs and spaces the renderer collapses.
_NOT_DRAWN = frozenset(map(ord, "\n\r\t"))


@cache
def _coverage(fonts: tuple[Path, ...]) -> frozenset[int]:
    """Every character one of ``fonts`` has a glyph for, plus those that are layout, not glyphs."""
    return frozenset().union(_NOT_DRAWN, *map(code_points, fonts))


def missing_characters(fonts: list[Path], text: str) -> list[str]:
    """The characters of ``text`` that none of ``fonts`` has, in order of first appearance."""
    covered = _coverage(tuple(fonts))
    return [character for character in dict.fromkeys(text) if ord(character) not in covered]
