"""PDF handouts: real WeasyPrint renders read back with pypdf and pdfium.

Renders are slow (about a quarter of a second each), so the seed article's renders are shared
by module-scoped fixtures and each test only reads them.
"""

from __future__ import annotations

import copy
import ctypes
import dataclasses
import io
import re
import subprocess
import sys
import threading
import types
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from click.testing import CliRunner, Result
from pdf_layout import page_layouts
from pdf_support import RequestLog

from immunopipe import workers
from immunopipe.cli import main
from immunopipe.export import handout, pdf_pool
from immunopipe.export import pdf as renderer
from immunopipe.load import load_bytes
from immunopipe.model import UNKNOWN, Article, article_from_data
from immunopipe.review.record import approval_block

SEED_ID = "immune-system-medicine"
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
DISCLAIMER = "Does not replace advice from a healthcare professional."
#: Dates printed in full ("26 November 2026"), and the ones the page footer prints short.
LONG_DATE_KEYS = {"accessed", "date"}
FOOTER_DATE_KEYS = {"published", "last_reviewed", "next_review"}
#: Keys whose values are identifiers or enumerations, shown through wording rather than verbatim.
# The review record (digest, snapshot) and the glossary wording mark are for editors, not readers.
UNPRINTED_KEYS = {"id", "kind", "system", "source", "status", "language", "part_of", "wording", "digest", "snapshot"}
TNF_ALPHA = "TNF-\N{GREEK SMALL LETTER ALPHA}"


# --- helpers -------------------------------------------------------------------------------


def seed_data(seed_text: str) -> dict[str, Any]:
    return copy.deepcopy(load_bytes(seed_text.encode("utf-8")).data)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def squeezed(text: str) -> str:
    """Text without any whitespace, so line breaks (even inside URLs) do not matter."""
    return "".join(text.split())


def printed_facts(article: Article) -> Iterator[str]:
    """Every fact of ``article`` in the words the handout prints it with.

    Codes are for systems, not patients: the handout names each code system and edition, and
    leaves the codes, and the sources only codes cite, to the JSON and CSV exports.
    """
    code_only_sources = {source.id for source in article.editorial.sources} - {
        source.id for source in handout.text_sources(article)
    }

    def walk(value: object, key: str) -> Iterator[str]:
        if isinstance(value, dict):
            if "system" in value:
                yield f"{handout.CODE_SYSTEM_NAMES[value['system']]} {value['version']}"
                return
            if key == "sources" and value["id"] in code_only_sources:
                return
            if key in {"queries", "facts"}:  # questions for the reviewer and the fact digests: never printed
                return
            if key == "considerations":
                yield handout.LABELS[f"consideration-{value['kind']}"]
            for child_key, child in value.items():
                yield from walk(child, child_key)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, key)
        elif isinstance(value, int):
            yield f"{value}-minute"
        elif isinstance(value, str) and key not in UNPRINTED_KEYS and value != UNKNOWN:
            if key in FOOTER_DATE_KEYS:
                yield handout.short_date(value)
            else:
                yield handout.long_date(value) if key in LONG_DATE_KEYS else value

    yield from walk(article.to_data(), "")


def text_sizes(pdf: bytes) -> list[float]:
    """The size in points of every text object on every page (font size times its scale)."""
    document = pdfium.PdfDocument(pdf)
    sizes = []
    for page in document:
        for text_object in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT], max_depth=8):
            size = ctypes.c_float()
            pdfium_raw.FPDFTextObj_GetFontSize(text_object.raw, size)
            sizes.append(round(size.value * abs(text_object.get_matrix().d), 2))
    return sizes


def structure_types(pdf: bytes) -> set[str]:
    """Every structure element type in the tagged PDF's structure tree."""
    root = pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    found: set[str] = set()
    pending: list[Any] = [root["/StructTreeRoot"].get_object()]
    while pending:
        node = pending.pop()
        if "/S" in node:
            found.add(str(node["/S"]))
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object()
            if isinstance(kid, dict):
                pending.append(kid)
    return found


def bookmark_titles(outline: list[Any]) -> Iterator[str]:
    """Every bookmark title in a pypdf outline, nested ones included."""
    for item in outline:
        if isinstance(item, list):
            yield from bookmark_titles(item)
        else:
            yield item.title


def font_names(pdf: bytes) -> set[str]:
    """Names of the fonts used on the pages, without their subset prefix (``ABCDEF+``)."""
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def attachments_and_images(pdf: bytes) -> list[str]:
    """Names of embedded files, file-attachment annotations and images in ``pdf``."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = [f"file {name}" for name in reader.attachments]
    for page in reader.pages:
        annotations = [annotation.get_object() for annotation in page.get("/Annots", [])]
        found += [f"annotation {a['/Subtype']}" for a in annotations if a["/Subtype"] == "/FileAttachment"]
        found += [f"image {image.name}" for image in page.images]
    return found


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_article(seed_text: str) -> Article:
    return article_from_data(seed_data(seed_text))


@pytest.fixture(scope="module")
def renders(seed_article: Article) -> dict[tuple[str, bool], bytes]:
    """The seed handout on A4, on Letter, and in large print on A4."""
    return {
        (paper, large): renderer.render_pdf(seed_article, paper=paper, large_print=large)
        for paper, large in (("a4", False), ("letter", False), ("a4", True))
    }


@pytest.fixture(scope="module")
def a4(renders: dict[tuple[str, bool], bytes]) -> bytes:
    return renders["a4", False]


@pytest.fixture(scope="module")
def approved_data(seed_text: str) -> dict[str, Any]:
    """The seed as a clinically approved article with every editorial fact known and long values."""
    data = seed_data(seed_text)
    editorial = data["editorial"]
    editorial["dates"] = {"published": "2026-09-30", "last_reviewed": "2026-10-01", "next_review": "2027-09-30"}
    reviewer = {"name": "Dr Jane Smith-Worthington", "credentials": "Consultant rheumatologist"}
    editorial["clinical_review"] = approval_block(data, reviewer, "2026-09-28")
    editorial["author"] = {"name": "Alex Writer", "credentials": "Medical writer"}
    editorial["contact"] = {"text": "Tell us what you think of this leaflet", "url": "https://example.org/feedback"}
    editorial["publisher"] = {"name": "Example Health Information Service", "url": "https://example.org/"}
    editorial["sources"][0]["title"] = "A source title long enough to need several lines " * 4
    return data


@pytest.fixture(scope="module")
def approved_pdf(approved_data: dict[str, Any]) -> bytes:
    return renderer.render_pdf(article_from_data(approved_data))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on 127.0.0.1: its base URL and the paths requested from it."""

    class Handler(RequestLog):
        paths: ClassVar[list[str]] = []

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler.paths
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make urllib talk to 127.0.0.1 directly, whatever proxy the environment names."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    return path


# --- content -------------------------------------------------------------------------------


def test_every_fact_of_the_article_is_printed(seed_article: Article, a4: bytes) -> None:
    text = squeezed(" ".join(page_texts(a4)))
    missing = [fact for fact in printed_facts(seed_article) if squeezed(fact) not in text]
    assert missing == []


def test_every_fact_of_the_source_text_is_printed(seed_facts: tuple[str, ...], a4: bytes) -> None:
    text = squeezed(" ".join(page_texts(a4)))
    assert [fact for fact in seed_facts if squeezed(fact) not in text] == []


def test_every_fact_of_an_approved_article_is_printed(approved_data: dict[str, Any], approved_pdf: bytes) -> None:
    """Read page bodies in order without their footers: a paragraph may go on over a page break."""
    article = article_from_data(approved_data)
    margin = float(re.search(r"margin-bottom: ([0-9.]+)pt", renderer.page_rules(article, "a4", False)).group(1))
    pages = page_layouts(approved_pdf, margin)
    text = squeezed(" ".join(page.body for page in pages) + " ".join(page.footer for page in pages))
    text = text.replace("•", "").replace("\N{EN DASH}", "")  # list markers come last in each page's text
    assert [fact for fact in printed_facts(article) if squeezed(fact) not in text] == []
    assert squeezed("Reviewed by Dr Jane Smith-Worthington, Consultant rheumatologist on 28 September 2026") in text


def test_unknown_facts_are_stated_honestly(a4: bytes) -> None:
    text = " ".join(" ".join(page_texts(a4)).split())
    assert "Not yet clinically reviewed" in text
    assert "Published: not known · Last reviewed: not known · Next review: not known" in text
    assert "Written by: not named by the source." in text
    assert "Feedback: no contact details given by the source." in text
    assert "Web address not known." in text
    assert "Clinical review:" not in text  # the footer says it is not reviewed; nobody to name


def test_codes_are_left_to_the_data_files_with_their_sources(a4: bytes) -> None:
    text = " ".join(" ".join(page_texts(a4)).split())
    assert (
        "For health professionals: the WHO ICD-10 2019, WHO ATC 2026 and RxNorm 2026 codes and their sources"
        " are in the JSON and CSV versions of this leaflet." in text
    )
    assert "Source, accessed 26 November 2026: What is immune system medicine used for? askvity." in text
    for left_out in ("M05", "H02AB07", "3008", "ATC/DDD Index 2026", "https://icd.who.int"):
        assert left_out not in text


def test_every_page_has_the_footer_with_page_x_of_y(seed_article: Article, a4: bytes) -> None:
    pages = [" ".join(text.split()) for text in page_texts(a4)]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert DISCLAIMER in text
        assert "Not yet clinically reviewed." in text
        assert "Published: not known · Last reviewed: not known · Next review: not known" in text
        assert f"{seed_article.editorial.publisher.name} · Source: {seed_article.title}" in text


def test_footer_of_an_approved_article_gives_its_dates(approved_pdf: bytes) -> None:
    for text in page_texts(approved_pdf):
        text = " ".join(text.split())
        assert "Published: 30 Sep 2026 · Last reviewed: 1 Oct 2026 · Next review: 30 Sep 2027" in text
        assert f"Clinically reviewed 28 Sep 2026. {DISCLAIMER}" in text


def test_key_message_comes_first_and_sections_follow_in_reading_order(seed_article: Article, a4: bytes) -> None:
    text = " ".join(" ".join(page_texts(a4)).split())
    headings = [
        seed_article.title,
        "The main point",
        *(use.title for use in seed_article.uses),
        "Types of medicine and how they work",
        "Things to know, and when to talk to your care team",
        "Words explained",
        "About this leaflet",
        "For health professionals:",
    ]
    positions = [text.find(heading) for heading in headings]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert text.find(seed_article.summary) < text.find(seed_article.uses[0].description)
    assert f"The main point: {seed_article.summary}" in text
    assert f"{seed_article.uses[0].how_medicine_helps} Conditions it is used for:" in text


def test_run_in_labels_are_bookmarks(a4: bytes) -> None:
    """ "The main point" and "Conditions it is used for" are labels in their paragraph (one P, see
    test_pdf_structure.py) and still entries of the PDF's outline."""
    assert {"/H1", "/H2"} <= structure_types(a4)
    bookmarks = set(bookmark_titles(pypdf.PdfReader(io.BytesIO(a4)).outline))
    assert {"The main point", "Conditions it is used for"} <= bookmarks


def test_medicine_classes_are_a_table_with_class_examples_and_mechanism(a4: bytes) -> None:
    assert {"/Table", "/TH", "/TD", "/TR"} <= structure_types(a4)
    text = " ".join(" ".join(page_texts(a4)).split())
    assert "Type of medicine Examples How it works" in text
    assert "cyclosporine (also called ciclosporin), tacrolimus" in text


def test_glossary_is_shown_only_when_present(seed_article: Article) -> None:
    with_glossary = handout.render_html(seed_article)
    without = handout.render_html(dataclasses.replace(seed_article, glossary=()))
    assert "Words explained" in with_glossary
    assert f"<strong>{seed_article.glossary[0].term}:</strong>" in with_glossary
    assert "Words explained" not in without


# --- layout --------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
def test_page_size(renders: dict[tuple[str, bool], bytes], paper: str, size: tuple[float, float]) -> None:
    for page in pypdf.PdfReader(io.BytesIO(renders[paper, False])).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(size, abs=0.01)


def test_page_counts(renders: dict[tuple[str, bool], bytes]) -> None:
    counts = {key: len(pypdf.PdfReader(io.BytesIO(pdf)).pages) for key, pdf in renders.items()}
    assert counts["a4", False] <= 2
    # Letter is 50 pt shorter: with no table row left alone on a page, the seed needs a third.
    assert counts["letter", False] <= 3
    assert counts["a4", True] > counts["a4", False]


def test_no_text_is_smaller_than_12_pt(a4: bytes) -> None:
    sizes = text_sizes(a4)
    assert min(sizes) >= 12
    assert max(set(sizes), key=sizes.count) == 12  # the body text


def test_large_print_is_at_least_16_pt_with_18_pt_body(renders: dict[tuple[str, bool], bytes]) -> None:
    sizes = text_sizes(renders["a4", True])
    assert min(sizes) >= 16
    assert max(set(sizes), key=sizes.count) == 18


def test_long_footer_values_stay_inside_the_page(approved_data: dict[str, Any], approved_pdf: bytes) -> None:
    article = article_from_data(approved_data)
    letter = renderer.render_pdf(article, paper="letter")
    large_print = renderer.render_pdf(article, large_print=True)
    for pdf in (approved_pdf, letter, large_print):
        for page in pdfium.PdfDocument(pdf):
            text_page = page.get_textpage()
            boxes = [text_page.get_charbox(index) for index in range(text_page.count_chars())]
            assert min(bottom for _, bottom, _, _ in boxes) > 10  # points above the paper's edge
            assert max(top for _, _, _, top in boxes) < page.get_height() - 10


def test_bundled_font_is_embedded_whole(a4: bytes) -> None:
    fonts = font_names(a4)
    assert {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"} <= fonts
    assert {font for font in fonts if not font.startswith("Atkinson-Hyperlegible")} == set()
    bundled = {path.read_bytes() for path, _, _ in renderer.font_files().values()}
    assert embedded_font_files(a4) <= bundled  # whole files, not subsets


def embedded_font_files(pdf: bytes) -> set[bytes]:
    """The font programs embedded in ``pdf`` (through Type0 fonts' descendants)."""
    found = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object()["/DescendantFonts"]:
                found.add(descendant.get_object()["/FontDescriptor"]["/FontFile2"].get_object().get_data())
    return found


def test_without_the_font_package_the_render_fails(seed_article: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fontpkg", None)  # import fontpkg raises ImportError
    with pytest.raises(renderer.PdfRenderError, match="typeface Atkinson Hyperlegible is not installed"):
        renderer.render_pdf(seed_article)


def test_a_missing_font_file_fails_the_render(
    seed_article: Article, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import fontpkg

    monkeypatch.setattr(fontpkg, "path", lambda family, weight, style: tmp_path / f"{weight}-{style}.ttf")
    with pytest.raises(renderer.PdfRenderError, match=r"a file of the handout typeface .* is missing"):
        renderer.render_pdf(seed_article)


def test_an_unreadable_font_file_fails_the_render(
    seed_article: Article, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gone = tmp_path / "gone.ttf"
    fonts = {f"{handout.ASSET_SCHEME}fonts/gone.ttf": (gone, 400, "normal")}
    monkeypatch.setattr(renderer, "font_files", lambda: fonts)
    with pytest.raises(renderer.PdfRenderError, match=f"cannot read {re.escape(str(gone))}"):
        renderer.render_pdf(seed_article)


# --- accessibility and metadata ------------------------------------------------------------


def test_tagged_pdf_ua_with_language_and_headings(seed_article: Article, a4: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(a4))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == seed_article.language
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert {"/H1", "/H2", "/L", "/LI", "/P"} <= structure_types(a4)
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part=.1.", xmp)


def test_document_metadata_comes_from_the_content(seed_article: Article, a4: bytes) -> None:
    metadata = pypdf.PdfReader(io.BytesIO(a4)).metadata
    assert metadata is not None
    assert metadata["/Title"] == seed_article.title
    assert metadata["/Author"] == seed_article.editorial.publisher.name  # the source names no author
    assert metadata["/Subject"] == seed_article.summary
    keywords = metadata["/Keywords"].split(", ")
    assert keywords[0] == seed_article.category
    assert {"Rheumatoid arthritis", "Calcineurin inhibitors"} <= set(keywords)


def test_approved_article_metadata_has_its_author_and_dates(approved_pdf: bytes) -> None:
    metadata = pypdf.PdfReader(io.BytesIO(approved_pdf)).metadata
    assert metadata is not None
    assert metadata["/Author"] == "Alex Writer"
    assert metadata["/CreationDate"] == "D:20260930"
    assert metadata["/ModDate"] == "D:20261001"


def test_document_dates_without_content_dates(seed_article: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert handout.document_dates(seed_article) == (None, None)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert handout.document_dates(seed_article) == ("2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert handout.document_dates(seed_article) == (None, None)


def test_weasyprint_errors_fail_the_render(seed_article: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without lang, PDF/UA rendering logs an ERROR yet still writes a PDF.
    monkeypatch.setattr(renderer, "render_html", lambda article, **_: "<html><body><p>x</p></body></html>")
    with pytest.raises(renderer.PdfRenderError, match="lang"):
        renderer.render_pdf(seed_article)


def test_unknown_paper_is_refused_as_a_value_error_and_a_render_error(seed_article: Article) -> None:
    renders: tuple[Callable[[], object], ...] = (
        lambda: renderer.render_pdf(seed_article, paper="a5"),
        lambda: list(pdf_pool.iter_pdfs([seed_article], paper="a5")),
    )
    for render in renders:
        with pytest.raises(renderer.UnknownPaper, match="unknown paper size 'a5'") as caught:
            render()
        assert isinstance(caught.value, ValueError)
        assert isinstance(caught.value, renderer.PdfRenderError)


# --- security ------------------------------------------------------------------------------


def hostile_texts(base_url: str, secret: Path) -> dict[str, str]:
    return {
        "img": f'<img src="{base_url}/img.png" alt="x">',
        "attachment": f'<link rel="attachment" href="file://{secret}">',
        "css": f"url({base_url}/bg.png) url(file://{secret}) </style><style>@import '{base_url}/x.css';",
        "template": "{{ 7 * 7 }} {% raw %}",
        "quote": '" onload="x" \' <script>alert(1)</script>',
    }


def hostile_article(seed_text: str, texts: dict[str, str]) -> Article:
    data = seed_data(seed_text)
    data["title"] = texts["img"]
    data["category"] = texts["quote"]
    data["summary"] = texts["attachment"]
    data["uses"][0]["description"] = texts["css"]
    data["uses"][0]["conditions"][0]["name"] = texts["template"]
    data["medicine_classes"][0]["mechanism"] = texts["css"]
    data["considerations"][0]["text"] = texts["attachment"]
    data["glossary"] = [{"term": texts["img"], "definition": texts["quote"]}]
    data["editorial"]["publisher"]["name"] = texts["quote"]
    data["editorial"]["sources"][0]["title"] = texts["attachment"]
    return article_from_data(data)


def test_hostile_content_is_escaped_in_the_html(seed_text: str, secret_file: Path) -> None:
    texts = hostile_texts("http://127.0.0.1:9", secret_file)
    html = handout.render_html(hostile_article(seed_text, texts))
    assert "<img" not in html
    assert "<script" not in html
    assert 'rel="attachment"' not in html
    assert "&lt;link rel=&#34;attachment&#34;" in html
    assert "{{ 7 * 7 }}" in html


def test_hostile_content_is_printed_as_text_and_nothing_is_fetched_or_attached(
    seed_text: str, secret_file: Path, server: tuple[str, list[str]], no_proxy: None
) -> None:
    base_url, requests = server
    texts = hostile_texts(base_url, secret_file)
    pdf = renderer.render_pdf(hostile_article(seed_text, texts))
    text = squeezed(" ".join(page_texts(pdf)))
    assert [name for name, value in texts.items() if squeezed(value) not in text] == []
    assert requests == []
    assert attachments_and_images(pdf) == []


def attack_html(base_url: str, secret: Path) -> str:
    return f"""<html lang="en"><head>
<link rel="attachment" href="file://{secret}">
<style>@import url("{base_url}/import.css"); p {{ background: url("{base_url}/bg.png") }}</style>
</head><body><p>x</p><img alt="x" src="{base_url}/img.png"></body></html>"""


def test_default_fetcher_attaches_local_files_and_makes_requests(
    secret_file: Path, server: tuple[str, list[str]], no_proxy: None
) -> None:
    """The attack the asset fetcher exists for: WeasyPrint's default fetcher falls for it."""
    import weasyprint

    base_url, requests = server
    requests.clear()
    pdf = weasyprint.HTML(string=attack_html(base_url, secret_file)).write_pdf()
    assert "file secret.txt" in attachments_and_images(pdf)
    assert requests != []


def test_asset_fetcher_refuses_files_and_requests(
    secret_file: Path, server: tuple[str, list[str]], no_proxy: None
) -> None:
    import weasyprint

    from immunopipe.export.fetcher import AssetFetcher

    base_url, requests = server
    requests.clear()
    fetcher = AssetFetcher({})
    pdf = weasyprint.HTML(string=attack_html(base_url, secret_file), url_fetcher=fetcher).write_pdf()
    assert requests == []
    assert attachments_and_images(pdf) == []
    assert set(fetcher.refused) == {
        f"file://{secret_file}",
        f"{base_url}/import.css",
        f"{base_url}/bg.png",
        f"{base_url}/img.png",
    }


def test_asset_fetcher_serves_only_its_assets(secret_file: Path, server: tuple[str, list[str]]) -> None:
    from immunopipe.export.fetcher import AssetFetcher, RefusedURL

    base_url, requests = server
    requests.clear()
    fetcher = AssetFetcher({"immunopipe-asset:secret.txt": (secret_file, "text/plain")})
    assert fetcher.fetch("immunopipe-asset:secret.txt").read() == b"TOP-SECRET-CONTENT"
    for url in (f"file://{secret_file}", f"{base_url}/redirect", "data:text/plain,hello", "immunopipe-asset:other"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert requests == []


def test_a_refused_url_fails_the_render(seed_article: Article, monkeypatch: pytest.MonkeyPatch) -> None:
    html = '<html lang="en"><body><img alt="x" src="immunopipe-asset:missing.png"></body></html>'
    monkeypatch.setattr(renderer, "render_html", lambda article, **_: html)
    with pytest.raises(renderer.PdfRenderError, match=r"refused to load immunopipe-asset:missing\.png"):
        renderer.render_pdf(seed_article)


# --- determinism ---------------------------------------------------------------------------


def test_re_render_is_byte_identical_and_leaves_the_environment_alone(
    seed_article: Article, a4: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert renderer.render_pdf(seed_article) == a4
    assert "SOURCE_DATE_EPOCH" not in renderer.os.environ


def test_invalid_source_date_epoch_is_ignored(
    seed_article: Article, a4: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert renderer.render_pdf(seed_article) == a4
    assert renderer.os.environ["SOURCE_DATE_EPOCH"] == "soon"


def later_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make fontTools read a clock a century ahead (it stamps that time into the fonts it saves)."""
    from fontTools.misc import timeTools

    monkeypatch.setattr(timeTools, "time", types.SimpleNamespace(time=lambda: 4_000_000_000.0))


@pytest.fixture(scope="module")
def greek_article(seed_article: Article) -> Article:
    """The seed with a Greek letter, which the bundled typeface does not have."""
    glossary = list(seed_article.glossary)
    glossary[17] = dataclasses.replace(glossary[17], definition=f"{glossary[17].definition} Also written {TNF_ALPHA}.")
    return dataclasses.replace(seed_article, glossary=tuple(glossary))


def test_a_character_the_typeface_lacks_gets_subset_fonts_stamped_with_a_fixed_time(
    greek_article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = renderer.render_pdf(greek_article)
    later_clock(monkeypatch)
    assert renderer.render_pdf(greek_article) == first
    assert "SOURCE_DATE_EPOCH" not in renderer.os.environ
    assert TNF_ALPHA in " ".join(page_texts(first))
    assert len(first) < 60_000  # a whole fallback font would add hundreds of KiB
    bundled = {path.read_bytes() for path, _, _ in renderer.font_files().values()}
    assert not embedded_font_files(first) & bundled


def test_an_invalid_source_date_epoch_is_restored_after_a_subset_render(
    greek_article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert renderer.render_pdf(greek_article).startswith(b"%PDF-1.7")
    assert renderer.os.environ["SOURCE_DATE_EPOCH"] == "soon"


def test_the_time_of_the_render_never_enters_the_pdf(
    seed_article: Article, a4: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled typeface has every character of the seed: its fonts are embedded whole, unstamped."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    later_clock(monkeypatch)
    assert renderer.render_pdf(seed_article) == a4


# --- helpers of the template ---------------------------------------------------------------


def test_dates_in_words() -> None:
    assert handout.long_date("2026-03-01") == "1 March 2026"
    assert handout.long_date(UNKNOWN) == "Date not known"
    assert handout.short_date("2026-09-30") == "30 Sep 2026"
    assert handout.short_date(UNKNOWN) == "not known"


def test_conditions_that_are_part_of_another_are_nested(seed_article: Article) -> None:
    tree = handout.condition_tree(seed_article.uses[0])
    nested = {condition.id: [part.id for part in parts] for condition, parts in tree}
    assert nested["inflammatory-bowel-disease"] == ["crohns-disease", "ulcerative-colitis"]
    assert "crohns-disease" not in nested


def test_code_systems_are_named_once_each_in_article_order(seed_article: Article) -> None:
    assert handout.code_systems(seed_article) == ["WHO ICD-10 2019", "WHO ATC 2026", "RxNorm 2026"]
    uncoded = dataclasses.replace(seed_article, uses=(), medicine_classes=())
    assert handout.code_systems(uncoded) == []


def test_text_sources_leave_out_sources_only_codes_cite(seed_text: str) -> None:
    data = seed_data(seed_text)
    assert [s.id for s in handout.text_sources(article_from_data(data))] == ["askvity-immune-system-medicine"]
    # The first source is the text's own even when a code cites it too.
    data["uses"][0]["conditions"][0]["codes"][0]["source"] = "askvity-immune-system-medicine"
    assert [s.id for s in handout.text_sources(article_from_data(data))] == ["askvity-immune-system-medicine"]
    # A source no code cites is one the text rests on.
    data["uses"][0]["conditions"][0]["codes"] = []
    data["uses"][0]["conditions"] = data["uses"][0]["conditions"][:1]
    data["uses"] = data["uses"][:1]
    data["medicine_classes"] = data["medicine_classes"][2:4]
    data["medicine_classes"][0]["examples"][0]["codes"] = []
    data["medicine_classes"][0]["examples"][1]["codes"] = []
    data["medicine_classes"][1]["examples"][0]["codes"] = []
    data["medicine_classes"][1]["examples"][1]["codes"] = []
    assert len(handout.text_sources(article_from_data(data))) == 4


def test_word_list() -> None:
    assert handout.word_list([]) == ""
    assert handout.word_list(["a"]) == "a"
    assert handout.word_list(["a", "b"]) == "a and b"
    assert handout.word_list(["a", "b", "c"]) == "a, b and c"


def test_sentence_adds_a_full_stop_only_when_missing() -> None:
    assert handout.sentence("What is it?") == "What is it?"
    assert handout.sentence(" Checked ") == "Checked."


# --- many handouts: a pool of processes ---------------------------------------------------


def variant(article: Article, number: int) -> Article:
    """The seed under another id and title, so that every handout's bytes differ."""
    return dataclasses.replace(article, id=f"article-{number}", title=f"{article.title} (part {number})")


class CountingPool(workers.ProcessPoolExecutor):
    """The real process pool, counting how often one is started."""

    started: ClassVar[list[int]] = []

    def __init__(self, max_workers: int, **options: Any) -> None:
        self.started.append(max_workers)
        super().__init__(max_workers=max_workers, **options)


@pytest.fixture
def counting_pool(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pools started by :func:`pdf_pool.iter_pdfs`, by their number of processes."""
    monkeypatch.setattr(CountingPool, "started", [])
    monkeypatch.setattr(workers, "ProcessPoolExecutor", CountingPool)
    monkeypatch.setattr(workers, "available_cpus", lambda: 8)  # the same pools on a machine of any size
    return CountingPool.started


@pytest.mark.slow
def test_a_pool_renders_the_same_bytes_in_the_same_order(seed_article: Article, counting_pool: list[int]) -> None:
    articles = [variant(seed_article, number) for number in (3, 1, 2)]
    in_one_process = list(pdf_pool.iter_pdfs(articles, jobs=1))
    assert counting_pool == []
    assert list(pdf_pool.iter_pdfs(articles, jobs=2)) == in_one_process
    assert counting_pool == [2]
    titles = [page_texts(pdf)[0] for pdf in in_one_process]
    assert [f"(part {number})" in title for title, number in zip(titles, (3, 1, 2), strict=True)] == [True] * 3


def test_a_single_handout_is_rendered_without_a_pool(
    seed_article: Article, a4: bytes, counting_pool: list[int]
) -> None:
    assert list(pdf_pool.iter_pdfs([seed_article], jobs=4)) == [a4]
    assert counting_pool == []


def test_a_failure_in_a_worker_fails_the_whole_render(seed_article: Article, counting_pool: list[int]) -> None:
    no_language = [dataclasses.replace(variant(seed_article, number), language="") for number in (1, 2)]
    with pytest.raises(renderer.PdfRenderError, match="'article-1' did not render cleanly: Missing required \"lang\""):
        list(pdf_pool.iter_pdfs(no_language, jobs=2))
    assert counting_pool == [2]


# --- packaging and the command line --------------------------------------------------------


def test_templates_are_installed_as_package_data() -> None:
    templates = files("immunopipe.export") / "templates"
    assert (templates / handout.TEMPLATE_NAME).is_file()
    assert (templates / handout.STYLESHEET_NAME).is_file()


def test_cli_help_and_validate_never_import_weasyprint(tmp_path: Path, seed_text: str) -> None:
    article = tmp_path / f"{SEED_ID}.yaml"
    article.write_text(seed_text, encoding="utf-8")
    code = f"""
import sys
import immunopipe.export.pdf
from immunopipe.cli import main
for args in (["--help"], ["validate", {str(article)!r}]):
    try:
        main(args, standalone_mode=False)
    except SystemExit:
        pass
print(sorted(name for name in ("weasyprint", "fontTools", "jinja2") if name in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # fontTools alone (about 40 ms) may load: text-glyph-missing reads the typeface's character maps.
    assert "weasyprint" not in result.stdout.splitlines()[-1]


@pytest.fixture
def workdir(tmp_path: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with content/ holding the seed and a second article; tests run inside it."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / f"{SEED_ID}.yaml").write_text(seed_text, encoding="utf-8")
    second = seed_text.replace(f"id: {SEED_ID}", "id: second-article")
    (tmp_path / "content" / "second-article.yaml").write_text(second, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def export(*args: str) -> Result:
    return CliRunner().invoke(main, ["export", "--jobs", "1", *args], catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, hidden files included."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ids of the articles the real renderer renders, in order, while the test runs (one process)."""
    ids: list[str] = []
    real = renderer.render_pdf

    def counting(article: Article, **options: Any) -> bytes:
        ids.append(article.id)
        return real(article, **options)

    monkeypatch.setattr(renderer, "render_pdf", counting)
    return ids


def fail_for(article_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the render of ``article_id`` fail as WeasyPrint errors do; others render for real."""
    real = renderer.render_pdf

    def failing(article: Article, **options: Any) -> bytes:
        if article.id == article_id:
            raise renderer.PdfRenderError(f"handout {article_id!r} did not render cleanly: simulated")
        return real(article, **options)

    monkeypatch.setattr(renderer, "render_pdf", failing)


@pytest.mark.parametrize("failure", ["render", "typeface"])
def test_a_failed_render_exits_2_with_a_message_and_leaves_the_last_export(
    workdir: Path, seed_text: str, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    assert export("--no-cache").exit_code == 0
    before = snapshot(workdir / "exports")
    second = workdir / "content" / "second-article.yaml"
    second.write_text(second.read_text().replace("reading_time_minutes: 3", "reading_time_minutes: 4"))
    if failure == "render":  # the first handout renders, then the second fails
        fail_for("second-article", monkeypatch)
        message = "Error: handout 'second-article' did not render cleanly: simulated"
    else:
        monkeypatch.setitem(sys.modules, "fontpkg", None)
        message = "Error: the handout typeface Atkinson Hyperlegible is not installed: reinstall immunopipe"
    result = export("--no-cache")
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output
    assert snapshot(workdir / "exports") == before  # JSON and CSV included: nothing written


def test_an_unknown_paper_is_an_unavailable_format_before_anything_is_written(
    seed_article: Article, tmp_path: Path
) -> None:
    from immunopipe.export import ExportOptions, FormatUnavailable, export_articles

    with pytest.raises(FormatUnavailable, match="unknown paper size 'a5'"):
        export_articles([seed_article], tmp_path / "out", options=ExportOptions(paper="a5"))
    assert [name for name in snapshot(tmp_path / "out") if name != ".immunopipe.lock"] == []


def test_a_second_export_of_unchanged_content_renders_nothing(workdir: Path, rendered: list[str]) -> None:
    assert export("--to", "pdf").exit_code == 0
    assert rendered == [SEED_ID, "second-article"]
    first = snapshot(workdir / "exports")
    rendered.clear()
    result = export("--to", "pdf")
    assert result.exit_code == 0
    assert rendered == []
    assert "0 files written, 2 unchanged" in result.stderr
    assert snapshot(workdir / "exports") == first
    assert len(list((workdir / ".immunopipe-cache" / "pdf").iterdir())) == 2
    assert export("--to", "pdf", "--paper", "letter").exit_code == 0
    assert rendered == [SEED_ID, "second-article"]


def test_no_cache_renders_every_handout_and_stores_none(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[str] = []

    def render_pdf(article: Article, **options: Any) -> bytes:  # counting is all this test needs
        rendered.append(article.id)
        return f"%PDF-1.7 {article.id}\n%%EOF\n".encode()

    monkeypatch.setattr(renderer, "render_pdf", render_pdf)
    assert export("--to", "pdf", "--no-cache").exit_code == 0
    assert export("--to", "pdf", "--no-cache").exit_code == 0
    assert rendered == [SEED_ID, "second-article"] * 2
    assert not (workdir / ".immunopipe-cache" / "pdf").exists()


def test_export_command_writes_the_pdf_next_to_json_and_csv(tmp_path: Path, seed_text: str, a4: bytes) -> None:
    article = tmp_path / "content" / f"{SEED_ID}.yaml"
    article.parent.mkdir()
    article.write_text(seed_text, encoding="utf-8")
    script = Path(sys.executable).with_name("immunopipe")
    out = tmp_path / "exports"
    subprocess.run(
        [str(script), "export", str(article), "--out", str(out)], cwd=tmp_path, capture_output=True, check=True
    )
    assert (out / "pdf" / f"{SEED_ID}.pdf").read_bytes() == a4
    assert (out / "json" / f"{SEED_ID}.json").is_file()
    assert (out / "csv" / "articles.csv").is_file()
    # Again, unchanged: the handout comes from the cache, and WeasyPrint is never even imported.
    code = f"""
import sys
from immunopipe.cli import main
try:
    main(["export", {str(article)!r}, "--out", {str(out)!r}])
except SystemExit as exit:
    print("exit", exit.code, "weasyprint" in sys.modules)
"""
    again = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert again.stdout.splitlines()[-1] == "exit 0 False"  # after the validation report
    assert "0 files written" in again.stderr


def test_language_and_direction_come_from_the_article(seed_article: Article) -> None:
    assert [handout.text_direction(tag) for tag in ("en", "en-GB", "ar", "he-IL", "fa")] == [
        "ltr", "ltr", "rtl", "rtl", "rtl"
    ]  # fmt: skip
    html = handout.render_html(dataclasses.replace(seed_article, language="ar"))
    assert '<html lang="ar" dir="rtl"' in html
    assert '<html lang="en" dir="ltr"' in handout.render_html(seed_article)


def test_a_clinic_s_own_words_keep_their_own_direction() -> None:
    """Hours or an address are isolated in the direction of their first strong character."""
    cases = ["Monday to Friday", "+44 20 7946 0000", "من الاثنين إلى الجمعة", "1 River Road", "٩ شارع النيل", "8-18"]
    assert [handout.writing_direction(text) for text in cases] == ["ltr", "ltr", "rtl", "ltr", "rtl", "ltr"]
