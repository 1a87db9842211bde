"""Render a page of the seed article's handout (page 1 by default) to a PNG for the README.

Needs immunopipe installed with its test extra, which brings pypdfium2 (PDFium, to turn the PDF
page into pixels); Pillow, which writes the PNG, comes with WeasyPrint. No system tools needed:

    pip install '.[test]'
    python scripts/render_preview.py [--article content/immune-system-medicine.yaml] [--dpi 110]
    python scripts/render_preview.py --page 2 --paper letter --output /tmp/page2.png   # to check others
    python scripts/render_preview.py --profile examples/clinic.yaml --output docs/handout-profile-page1.png
    python scripts/render_preview.py --language ar --output docs/handout-ar-page1.png   # a translation

The picture is made from the real PDF that ``immunopipe export`` writes, so it shows exactly
what a clinic prints. Re-run it after changing the template or stylesheet and commit the PNG.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from immunopipe.export.handout_language import handout_language
from immunopipe.export.pdf import render_pdf
from immunopipe.load import load_path
from immunopipe.model import article_from_data
from immunopipe.translation.document import translation_path
from immunopipe.translation.facts import translated_article
from immunopipe.translation.model import Translation
from immunopipe.validate.profile import load_profile

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ARTICLE = REPO / "content" / "immune-system-medicine.yaml"
DEFAULT_OUTPUT = REPO / "docs" / "handout-page1.png"
POINTS_PER_INCH = 72


def main() -> None:
    """Parse the options, render the handout and write page 1 as a PNG."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--article", type=Path, default=DEFAULT_ARTICLE, help="article YAML file")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="PNG file to write")
    parser.add_argument("--dpi", type=int, default=110, help="resolution of the picture")
    parser.add_argument("--page", type=int, default=1, help="page to render, counting from 1")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4")
    parser.add_argument("--large-print", action="store_true")
    parser.add_argument("--profile", type=Path, help="clinic profile, e.g. examples/clinic.yaml")
    parser.add_argument("--language", help="render the article's translation into this language (translations/LANG/)")
    options = parser.parse_args()

    article = article_from_data(load_path(options.article).data)
    profile = load_profile(options.profile) if options.profile else None
    language = None
    if options.language:
        path = translation_path(options.article.parent, options.language, options.article.stem)
        translation = Translation.from_data(load_path(path).data)
        article = translated_article(article, translation.texts, translation.language)
        language = handout_language(translation)
    rendered = render_pdf(
        article, paper=options.paper, large_print=options.large_print, profile=profile, language=language
    )
    pdf = pdfium.PdfDocument(rendered)
    if not 1 <= options.page <= len(pdf):
        parser.error(f"--page: the handout has {len(pdf)} pages")
    image = pdf[options.page - 1].render(scale=options.dpi / POINTS_PER_INCH).to_pil()
    # 64 colours are plenty for text on a few flat colours and keep the PNG small.
    image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    image.save(options.output, optimize=True)
    print(f"wrote {options.output} ({image.width}x{image.height}, page {options.page} of {len(pdf)})")


if __name__ == "__main__":
    main()
