"""A PDF/UA-1 structure checker for handouts: the machine-checkable Matterhorn Protocol conditions.

:func:`structure_problems` reads a PDF with pikepdf and returns one line per failure (an empty
list when every checked condition holds). It knows nothing of the handout's language or
script, so it serves any handout; ``direction="rtl"`` reads rows right to left. The conditions
checked, by Matterhorn checkpoint (docs/accessibility.md lists what cannot be checked):

* 01-003/01-004 no artifact inside tagged content and no tagged content inside an artifact;
  01-005 every text, path and image operator is inside tagged marked content whose MCID
  belongs to a structure element reachable from the root, or inside an ``/Artifact``;
  01-007 no ``/Suspects true``; ISO 14289-1 7.1 ``/MarkInfo /Marked true``;
* 02-001 every structure type is a standard one (or role-mapped to one);
* 06-001..06-003 ``/Metadata`` with ``pdfuaid:part`` 1 and a ``dc:title``;
* 07-001/07-002 ``/ViewerPreferences`` with ``/DisplayDocTitle true``;
* 09-004 table elements nest as ISO 32000-1 Table 337 says (``TR`` in ``Table``/``THead``/
  ``TBody``/``TFoot``, cells in ``TR``); 09-005 list elements as Table 336 says (``LI`` only in
  ``L``; ``Lbl`` and ``LBody`` only in ``LI``; ``L`` holds only ``LI``, ``L`` or ``Caption``);
* 11-001 a non-empty ``/Lang`` in the catalog;
* 13-004 every ``Figure`` has ``/Alt`` text;
* 14-002/14-003 the first heading is H1 and no heading level is skipped;
* 15-003 every ``TH`` has a ``/Scope``; and, the machine-checkable part of 15-005, every
  ``/Headers`` ID of a cell resolves through the root's ``/IDTree`` to a ``TH``;
* 28-002/28-011 every annotation is in the structure tree (a link inside a ``Link`` element);
  28-004 every annotation but a widget has ``/Contents``;
* 31-009 every font (and descendant font) is embedded; 31-027 every font has a ``/ToUnicode`` map;
* the file's syntax, as qpdf checks it (``check_pdf_syntax``);
* reading order, a machine approximation of 09-001 (a human check in the protocol): block
  elements (paragraphs, headings, list items, cells, figures) come in the structure tree in
  their visual order: each next block starts lower on the page, or on the same line further
  along in the writing direction.

Checkpoint numbers are those of the Matterhorn Protocol 1.1 (PDF Association).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

import pikepdf

#: Block-level structure types whose order the reading-order check compares.
BLOCKS = frozenset({"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/LI", "/TH", "/TD", "/Figure", "/Caption"})
HEADING = re.compile(r"/H([1-6])")
#: Operators that put marks on the page: text, paths, images and forms.
PAINTING = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"})
#: The standard structure types of ISO 32000-1 (14.8.4); any other needs a /RoleMap entry.
STANDARD_TYPES = frozenset(
    [
        "Document",
        "Part",
        "Art",
        "Sect",
        "Div",
        "BlockQuote",
        "Caption",
        "TOC",
        "TOCI",
        "Index",
        "NonStruct",
        "Private",
        "P",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "THead",
        "TBody",
        "TFoot",
        "Span",
        "Quote",
        "Note",
        "Reference",
        "BibEntry",
        "Code",
        "Link",
        "Annot",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Figure",
        "Formula",
        "Form",
    ]
)
#: Where table elements may stand (ISO 32000-1 Table 337): element type -> allowed parent types.
TABLE_PARENTS = {
    "/TR": {"/Table", "/THead", "/TBody", "/TFoot"},
    "/TH": {"/TR"},
    "/TD": {"/TR"},
    "/THead": {"/Table"},
    "/TBody": {"/Table"},
    "/TFoot": {"/Table"},
}
#: Points two blocks' tops may differ by and still count as the same line (table cells in a row).
SAME_LINE = 2.0


@dataclass
class _Page:
    """What one page's content stream says: each MCID's first mark position, and unmarked marks."""

    positions: dict[int, tuple[float, float]] = field(default_factory=dict)
    unmarked: list[str] = field(default_factory=list)
    #: Artifacts opened inside tagged content (01-003) and tagged content inside artifacts (01-004).
    misnested: list[str] = field(default_factory=list)


def structure_problems(pdf_bytes: bytes, *, direction: str = "ltr") -> list[str]:
    """Every failed checkpoint of the PDF in ``pdf_bytes``, one line each (empty: all hold)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        problems = [f"syntax: {problem}" for problem in pdf.check_pdf_syntax()]
        problems += _document_problems(pdf)
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return [*problems, "01-005: no structure tree (/StructTreeRoot)"]
        elements = list(_walk(root))
        problems += _heading_problems(elements)
        problems += _list_problems(elements)
        problems += _role_problems(root, elements)
        problems += _table_problems(root, elements)
        problems += _figure_problems(elements)
        problems += _font_problems(pdf)
        problems += _annotation_problems(pdf)
        pages = {page.objgen: _read_page(page) for page in pdf.pages}
        problems += _content_problems(pdf, root, elements, pages)
        problems += _reading_order_problems(pdf, elements, pages, direction)
        return problems


def structure_types(pdf_bytes: bytes) -> list[str]:
    """The structure types of the tree in document order (``["/Document", "/H1", ...]``)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return [str(element.S) for element, _ in _walk(pdf.Root.StructTreeRoot)]


def _walk(root: pikepdf.Dictionary) -> Iterator[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]:
    """Every structure element under ``root`` in document order, with its parent element."""

    def visit(
        node: pikepdf.Object, parent: pikepdf.Dictionary | None
    ) -> Iterator[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                yield from visit(kid, parent)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") in (None, "/StructElem") and "/S" in node:
            yield node, parent
            if "/K" in node:
                yield from visit(node.K, node)

    yield from visit(root.get("/K", pikepdf.Array()), None)


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _mcids(element: pikepdf.Dictionary) -> Iterator[tuple[int, tuple[int, int] | None]]:
    """The MCIDs directly in ``element``, each with its page's object id."""
    page = element.get("/Pg")
    for kid in _kids(element):
        if isinstance(kid, int):
            yield int(kid), page.objgen if page is not None else None
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            kid_page = kid.get("/Pg", page)
            yield int(kid.MCID), kid_page.objgen if kid_page is not None else None


def _document_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    lang = pdf.Root.get("/Lang")
    if lang is None or not str(lang).strip():
        problems.append("11-001: the catalog has no /Lang")
    preferences = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    if "/DisplayDocTitle" not in preferences:
        problems.append("07-001: /ViewerPreferences has no /DisplayDocTitle")
    elif not bool(preferences.DisplayDocTitle):
        problems.append("07-002: /ViewerPreferences /DisplayDocTitle is false")
    mark_info = pdf.Root.get("/MarkInfo", pikepdf.Dictionary())
    if not bool(mark_info.get("/Marked", False)):
        problems.append("7.1: /MarkInfo /Marked is not true")
    if bool(mark_info.get("/Suspects", False)):
        problems.append("01-007: /MarkInfo /Suspects is true")
    if "/Metadata" not in pdf.Root:
        return [*problems, "06-001: no XMP /Metadata"]
    metadata = pdf.open_metadata()
    if str(metadata.get("pdfuaid:part", "")) != "1":
        problems.append("06-002: the XMP metadata does not identify PDF/UA-1 (pdfuaid:part)")
    if not str(metadata.get("dc:title", "")).strip():
        problems.append("06-003: the XMP metadata has no dc:title")
    return problems


def _heading_problems(elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]) -> list[str]:
    levels = [int(match.group(1)) for element, _ in elements if (match := HEADING.fullmatch(str(element.S)))]
    if not levels:
        return []
    problems = [] if levels[0] == 1 else [f"14-002: the first heading is H{levels[0]}, not H1"]
    for before, after in pairwise(levels):
        if after > before + 1:
            problems.append(f"14-003: heading level skipped, H{before} followed by H{after}")
    return problems


def _list_problems(elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]) -> list[str]:
    problems = []
    for element, parent in elements:
        kind, parent_kind = str(element.S), str(parent.S) if parent is not None else None
        if kind == "/LI" and parent_kind != "/L":
            problems.append(f"09-005: LI inside {parent_kind}, not L")
        if kind in ("/Lbl", "/LBody") and parent_kind != "/LI":
            problems.append(f"09-005: {kind[1:]} inside {parent_kind}, not LI")
        if parent_kind == "/L" and kind not in ("/LI", "/L", "/Caption"):
            problems.append(f"09-005: {kind[1:]} directly inside L")
        if kind in TABLE_PARENTS and parent_kind not in TABLE_PARENTS[kind]:
            problems.append(f"09-004: {kind[1:]} inside {parent_kind}")
    return problems


def _role_problems(
    root: pikepdf.Dictionary, elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]
) -> list[str]:
    role_map = root.get("/RoleMap", pikepdf.Dictionary())
    unknown = {str(element.S) for element, _ in elements} - {f"/{kind}" for kind in STANDARD_TYPES}
    return [
        f"02-001: structure type {kind} is not standard and not role-mapped"
        for kind in sorted(unknown)
        if kind not in role_map
    ]


def _table_problems(
    root: pikepdf.Dictionary, elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]
) -> list[str]:
    problems = []
    ids: dict[str, pikepdf.Dictionary] = {}
    if "/IDTree" in root:
        for key, value in pikepdf.NameTree(root.IDTree).items():
            ids[str(key)] = value
    for element, _ in elements:
        kind = str(element.S)
        attributes = element.get("/A", pikepdf.Dictionary())
        if kind == "/TH" and "/Scope" not in attributes:
            problems.append("15-003: a TH has no /Scope")
        if kind == "/TH" and "/ID" in element and str(element.ID) not in ids:
            problems.append(f"15-005: TH ID {element.ID} is not in the /IDTree")
        for header in attributes.get("/Headers", pikepdf.Array()):
            target = ids.get(str(header))
            if target is None or str(target.get("/S")) != "/TH":
                problems.append(f"15-005: a cell's /Headers ID {header} does not resolve to a TH")
    return problems


def _figure_problems(elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]]) -> list[str]:
    return [
        "13-004: a Figure has no /Alt text"
        for element, _ in elements
        if str(element.S) == "/Figure" and not str(element.get("/Alt", "")).strip()
    ]


def _font_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for _, font in page.Resources.get("/Font", pikepdf.Dictionary()).items():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            name = str(font.get("/BaseFont", "?"))
            if "/ToUnicode" not in font:
                problems.append(f"31-027: font {name} has no /ToUnicode map")
            descendants = list(font.get("/DescendantFonts", pikepdf.Array())) or [font]
            for descendant in descendants:
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None or not any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    problems.append(f"31-009: font {name} is not embedded")
    return problems


def _annotation_problems(pdf: pikepdf.Pdf) -> list[str]:
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.get("/Annots", pikepdf.Array()):
            subtype = str(annotation.get("/Subtype"))
            if subtype == "/Popup":
                continue
            if "/StructParent" not in annotation:
                condition = "28-011" if subtype == "/Link" else "28-002"
                problems.append(
                    f"{condition}: a {subtype[1:]} annotation on page {number} is not in the structure tree"
                )
            if subtype != "/Widget" and not str(annotation.get("/Contents", "")).strip():
                problems.append(
                    f"28-004: a {subtype[1:]} annotation on page {number} has no /Contents (alternative text)"
                )
    return problems


def _multiply(first: list[float], second: list[float]) -> list[float]:
    a, b, c, d, e, f = first
    g, h, i, j, k, m = second
    return [a * g + b * i, a * h + b * j, c * g + d * i, c * h + d * j, e * g + f * i + k, e * h + f * j + m]


def _read_page(page: pikepdf.Page) -> _Page:
    """Where each MCID's first text or image mark is (x, top-down y), and marks outside any tag."""
    result = _Page()
    matrix, stack = [1.0, 0, 0, 1, 0, 0], []
    marked: list[int | str | None] = []  # per open marked-content sequence: MCID, "artifact" or None
    text_matrix = [1.0, 0, 0, 1, 0, 0]
    height = float(page.mediabox[3])
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name == "q":
            stack.append(matrix)
        elif name == "Q":
            matrix = stack.pop()
        elif name == "cm":
            matrix = _multiply([float(value) for value in operands], matrix)
        elif name == "BT":
            text_matrix = [1.0, 0, 0, 1, 0, 0]
        elif name == "Tm":
            text_matrix = [float(value) for value in operands]
        elif name == "Td":
            text_matrix = _multiply([1, 0, 0, 1, float(operands[0]), float(operands[1])], text_matrix)
        elif name in ("BDC", "BMC"):
            tag = str(operands[0])
            properties = operands[1] if name == "BDC" and len(operands) > 1 else None
            if tag == "/Artifact":
                if any(isinstance(owner, int) for owner in marked):
                    result.misnested.append("01-003: an artifact inside tagged content")
                marked.append("artifact")
            elif isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                if "artifact" in marked:
                    result.misnested.append("01-004: tagged content inside an artifact")
                marked.append(int(properties.MCID))
            else:
                marked.append(marked[-1] if marked else None)
        elif name == "EMC":
            marked.pop()
        elif name in PAINTING:
            owner = marked[-1] if marked else None
            if owner is None:
                result.unmarked.append(name)
            elif isinstance(owner, int) and owner not in result.positions:
                origin = _multiply(text_matrix, matrix) if name in ("Tj", "TJ", "'", '"') else matrix
                result.positions[owner] = (origin[4], height - origin[5])
    return result


def _content_problems(
    pdf: pikepdf.Pdf,
    root: pikepdf.Dictionary,
    elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]],
    pages: dict[tuple[int, int], _Page],
) -> list[str]:
    problems = []
    tagged = {(page, mcid) for element, _ in elements for mcid, page in _mcids(element)}
    for number, page in enumerate(pdf.pages, start=1):
        content = pages[page.objgen]
        problems += [f"{problem} on page {number}" for problem in dict.fromkeys(content.misnested)]
        if content.unmarked:
            kinds = ", ".join(sorted(set(content.unmarked)))
            problems.append(
                f"01-005: page {number} has {len(content.unmarked)} marks ({kinds}) neither tagged nor artifact"
            )
        orphans = sorted(mcid for mcid in content.positions if (page.objgen, mcid) not in tagged)
        if orphans:
            problems.append(
                f"01-005: page {number} marked content {orphans[:5]} belongs to no element of the structure tree"
            )
    return problems


def _reading_order_problems(
    pdf: pikepdf.Pdf,
    elements: list[tuple[pikepdf.Dictionary, pikepdf.Dictionary | None]],
    pages: dict[tuple[int, int], _Page],
    direction: str,
) -> list[str]:
    page_numbers = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    blocks: list[tuple[int, float, float, str]] = []
    for element, _ in elements:
        if str(element.S) not in BLOCKS:
            continue
        spots = [
            (page_numbers[page], *pages[page].positions[mcid])
            for mcid, page in _mcids_below(element)
            if page in pages and mcid in pages[page].positions
        ]
        if spots:
            page, x, y = min(spots, key=lambda spot: (spot[0], spot[2], spot[1]))
            blocks.append((page, y, x, str(element.S)))
    problems = []
    sign = 1 if direction == "ltr" else -1
    for before, after in pairwise(blocks):
        if after[0] != before[0]:
            if after[0] < before[0]:
                problems.append(f"reading order: a {after[3][1:]} on page {after[0]} comes after page {before[0]}")
            continue
        same_line = abs(after[1] - before[1]) <= SAME_LINE
        if (same_line and sign * (after[2] - before[2]) <= 0) or (not same_line and after[1] < before[1]):
            problems.append(
                f"reading order: on page {after[0]} a {after[3][1:]} at ({after[2]:.0f}, {after[1]:.0f}) follows "
                f"a {before[3][1:]} at ({before[2]:.0f}, {before[1]:.0f})"
            )
    return problems


def _mcids_below(element: pikepdf.Dictionary) -> Iterator[tuple[int, tuple[int, int] | None]]:
    """The MCIDs in ``element`` and every element inside it."""
    yield from _mcids(element)
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from _mcids_below(kid)
