"""The typefaces of a translated handout's script, cut down to what it prints, and its language's CSS.

Latin-script handouts use only the bundled Atkinson Hyperlegible (:func:`immunopipe.export.pdf.font_files`).
A handout in another script (Arabic, Simplified Chinese) adds that script's typefaces from their
font packages (:mod:`immunopipe.translation.scripts`), first in the font stack; a font file too
large to hand to WeasyPrint whole is cut to the handout's characters first. The "Page X of Y"
line is printed by CSS, so it is built here in the handout's language.
"""

from __future__ import annotations

from pathlib import Path

from immunopipe.export.handout import ASSET_SCHEME
from immunopipe.export.handout_language import HandoutLanguage
from immunopipe.translation.scripts import ATKINSON, SCRIPTS, TypefaceMissing, font_file

#: Font files larger than this are cut down to the handout's characters before WeasyPrint sees them.
LARGE_FONT_BYTES = 2 * 1024 * 1024


def script_font_files(language: HandoutLanguage) -> dict[str, tuple[Path, int, str]]:
    """The font files of ``language``'s script besides the handout typeface: ``{asset URL: (file, weight, family)}``.

    Raises :class:`~immunopipe.translation.scripts.TypefaceMissing` when a typeface package is missing.
    """
    files: dict[str, tuple[Path, int, str]] = {}
    for typeface in language.script.typefaces:
        if typeface == ATKINSON:
            continue
        for weight in typeface.weights:
            path = font_file(typeface, weight)
            files[f"{ASSET_SCHEME}fonts/{path.name}"] = (path, weight, typeface.family)
    return files


def script_font_paths() -> list[Path]:
    """Every installed font file of the scripts translations are printed in (for the cache key)."""
    paths = []
    for script in SCRIPTS.values():
        for typeface in script.typefaces:
            for weight in typeface.weights:
                try:
                    paths.append(font_file(typeface, weight))
                except TypefaceMissing:
                    continue
    return list(dict.fromkeys(paths))


def language_rules(language: HandoutLanguage, script_fonts: dict[str, tuple[Path, int, str]]) -> str:
    """CSS for ``language``: its typefaces first, and "Page X of Y" in its words (as escaped CSS strings)."""
    rules = [
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{url}"); }}'
        for url, (_path, weight, family) in script_fonts.items()
    ]
    families = ", ".join(f'"{typeface.family}"' for typeface in language.script.typefaces)
    rules.append(f"html {{ font-family: {families}, sans-serif; }}")
    before, _, rest = language.labels["page-of"].partition("{page}")
    middle, _, after = rest.partition("{pages}")
    content = f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(after)}"
    rules.append(f".page-number::after {{ content: {content}; }}")
    return "\n".join(rules)


def cut_large_fonts(
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


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, every character but letters, digits and spaces escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x}" for c in text) + '"'
