"""The tagged structure of every handout variant, checked against the Matterhorn Protocol.

The checker is :mod:`pdf_structure` (reusable for handouts in any language); these tests run it
over A4, Letter and large print, with and without a clinic profile, over the longest article
and over the seed's translations (Spanish, Arabic read right to left, Simplified Chinese), and
show that it catches the defects it exists for.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
import pytest
from handout_variants import LAYOUTS, TRANSLATIONS, handout, translated_handout
from pdf_structure import structure_problems, structure_types

VARIANTS = [
    pytest.param(
        paper,
        large_print,
        with_profile,
        longest,
        id="-".join([paper, *(["large"] if large_print else []), *(["profile"] if with_profile else [])])
        + ("-longest" if longest else ""),
        marks=[pytest.mark.slow] if longest else [],
    )
    for paper, large_print in LAYOUTS
    for with_profile, longest in ((False, False), (True, False), (True, True))
]


@pytest.mark.parametrize(("paper", "large_print", "with_profile", "longest"), VARIANTS)
def test_every_checkpoint_holds(paper: str, large_print: bool, with_profile: bool, longest: bool) -> None:
    pdf = handout(paper, large_print, with_profile=with_profile, longest=longest)
    assert structure_problems(pdf) == []


@pytest.mark.parametrize("with_profile", [False, True], ids=["", "profile"])
@pytest.mark.parametrize(("language", "direction"), TRANSLATIONS, ids=[tag for tag, _ in TRANSLATIONS])
def test_every_checkpoint_holds_in_each_translation(language: str, direction: str, with_profile: bool) -> None:
    """A translated handout (its script's typefaces, cut fonts, mirrored rows) is as accessible as the English."""
    pdf = translated_handout(language, with_profile=with_profile)
    assert structure_problems(pdf, direction=direction) == []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == language


@pytest.mark.parametrize(("paper", "large_print"), LAYOUTS)
def test_run_in_paragraphs_are_one_p(paper: str, large_print: bool) -> None:
    """ "The main point: ..." is one P however many lines it takes (not one P per printed line)."""
    with pikepdf.open(io.BytesIO(handout(paper, large_print))) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        part = next(kid for kid in document.K if kid.S == "/Part")
        key_message = part.K[0]
        assert key_message.S == "/Sect"
        assert [str(kid.S) for kid in key_message.K] == ["/P"]
        use_section = part.K[1]
        blocks = [str(kid.S) for kid in use_section.K]
        assert blocks[:3] == ["/H2", "/P", "/L"], blocks


def test_table_headers_have_scopes_and_resolving_ids() -> None:
    with pikepdf.open(io.BytesIO(handout("a4", False))) as pdf:
        root = pdf.Root.StructTreeRoot
        ids = dict(pikepdf.NameTree(root.IDTree).items())
        headers = [element for element in _elements(root) if element.S == "/TH"]
        scopes = {str(header.A.Scope) for header in headers}
        assert scopes == {"/Column", "/Row"}
        assert all(str(header.ID) in ids for header in headers)
        cells = [element for element in _elements(root) if element.S == "/TD"]
        assert cells and all(len(cell.A.Headers) == 2 for cell in cells)  # its row's TH and its column's TH


def test_footer_is_a_pagination_artifact() -> None:
    """The footer repeats on every page: read once per page it would bury the content."""
    with pikepdf.open(io.BytesIO(handout("a4", False))) as pdf:
        for page in pdf.pages:
            artifacts = [
                operands[1] for operands, operator in pikepdf.parse_content_stream(page)
                if str(operator) == "BDC" and operands[0] == "/Artifact"
            ]  # fmt: skip
            assert any(properties.get("/Subtype") == "/Footer" for properties in artifacts)


def test_qr_code_and_logo_are_figures_with_alternative_text() -> None:
    with pikepdf.open(io.BytesIO(handout("a4", False, with_profile=True))) as pdf:
        figures = [str(element.Alt) for element in _elements(pdf.Root.StructTreeRoot) if element.S == "/Figure"]
    assert figures == [
        "Logo of Riverside Health Centre",
        "QR code: opens this leaflet online at https://clinic.example/leaflets/immune-system-medicine",
    ]


def test_checker_finds_untagged_content_and_broken_tables() -> None:
    """The checker is not a rubber stamp: WeasyPrint's own tree, unfinished, fails it."""
    from immunopipe.export import pdf_tags

    original = pdf_tags.complete_structure
    try:
        pdf_tags.complete_structure = lambda document, pdf: None
        from handout_variants import SEED

        from immunopipe.export.pdf import render_pdf
        from immunopipe.load import load_path
        from immunopipe.model import article_from_data

        unfinished = render_pdf(article_from_data(load_path(SEED).data))
    finally:
        pdf_tags.complete_structure = original
    problems = structure_problems(unfinished)
    assert any(problem.startswith("15-003: a TH has no /Scope") for problem in problems)
    assert any(problem.startswith("15-005") and "does not resolve to a TH" for problem in problems)
    assert any(problem.startswith("01-005") and "belongs to no element" for problem in problems)


def test_checker_finds_skipped_headings_missing_alt_and_language() -> None:
    import weasyprint

    html = "<html><head><title>t</title></head><body><h1>a</h1><h3>b</h3><img src='data:,' alt=''></body></html>"
    pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    problems = structure_problems(pdf)
    assert "14-003: heading level skipped, H1 followed by H3" in problems
    assert "11-001: the catalog has no /Lang" in problems


def test_checker_reads_right_to_left_rows() -> None:
    """A row read left to right passes as LTR and fails as RTL: direction is a parameter."""
    pdf = handout("a4", False)
    assert structure_problems(pdf, direction="ltr") == []
    assert any(problem.startswith("reading order") for problem in structure_problems(pdf, direction="rtl"))


def test_structure_types_lists_the_tree() -> None:
    types = structure_types(handout("a4", False))
    assert types[:2] == ["/Document", "/NonStruct"] and "/H1" in types and "/Table" in types


def _elements(root: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    found, stack = [], list(root.K)
    while stack:
        node = stack.pop(0)
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack[:0] = list(kids)
            elif isinstance(kids, pikepdf.Dictionary):
                stack.insert(0, kids)
    return found


def _mutated(change: Callable[[pikepdf.Pdf], None]) -> bytes:
    """The A4 handout with one defect put in by ``change``."""
    with pikepdf.open(io.BytesIO(handout("a4", False))) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def _first(pdf: pikepdf.Pdf, kind: str) -> pikepdf.Dictionary:
    return next(element for element in _elements(pdf.Root.StructTreeRoot) if kind == element.S)


def _unmarked_line(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(pdf.make_stream(b"0 0 m 10 10 l S"))


def _artifact_in_tag(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].contents_add(pdf.make_stream(b"/Span <</MCID 0>> BDC /Artifact BMC 0 0 m 10 10 l S EMC EMC"))


def _bare_link(pdf: pikepdf.Pdf) -> None:
    link = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 9, 9]))
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([link]))


def _font_without_unicode(pdf: pikepdf.Pdf) -> None:
    font = next(iter(pdf.pages[0].Resources.Font.values()))
    del font.ToUnicode


DEFECTS: dict[str, tuple[Callable[[pikepdf.Pdf], None], str]] = {
    "untagged": (_unmarked_line, "01-005: page 1 has 1 marks (S) neither tagged nor artifact"),
    "artifact-in-tag": (_artifact_in_tag, "01-003: an artifact inside tagged content on page 1"),
    "suspects": (lambda pdf: setattr(pdf.Root.MarkInfo, "Suspects", True), "01-007: /MarkInfo /Suspects is true"),
    "custom-type": (
        lambda pdf: setattr(_first(pdf, "/TH"), "S", pikepdf.Name("/Heading")),
        "02-001: structure type /Heading is not standard and not role-mapped",
    ),
    "no-display-title": (
        lambda pdf: pdf.Root.ViewerPreferences.__delitem__("/DisplayDocTitle"),
        "07-001: /ViewerPreferences has no /DisplayDocTitle",
    ),
    "lbl-outside-li": (
        lambda pdf: setattr(_first(pdf, "/LI"), "S", pikepdf.Name("/Div")),
        "09-005: Lbl inside /Div, not LI",
    ),
    "figure-without-alt": (lambda pdf: _first(pdf, "/H1").__setitem__("/S", pikepdf.Name("/Figure")), "13-004"),
    "bare-link": (_bare_link, "28-011: a Link annotation on page 1 is not in the structure tree"),
    "font-without-unicode": (_font_without_unicode, "31-027"),
}


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_checker_finds_each_defect_it_names(defect: str) -> None:
    change, expected = DEFECTS[defect]
    problems = structure_problems(_mutated(change))
    assert any(problem.startswith(expected) for problem in problems), problems
