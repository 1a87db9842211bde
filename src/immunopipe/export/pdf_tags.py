"""Completing WeasyPrint's PDF/UA tag tree before the PDF is written (a ``write_pdf`` finisher).

WeasyPrint 70 tags a handout well, with three gaps this module closes on the PDF objects it is
about to write (no second parse, no extra dependency):

* table header cells (``TH``) carry an ``/ID`` that data cells' ``/Headers`` refer to, but no
  ``/Scope`` and no ``/IDTree`` in the structure tree root to resolve the IDs: each ``TH`` gets
  ``/Scope /Column`` (in the table head) or ``/Scope /Row`` (in the body), and the root gets an
  ``/IDTree`` naming every ID;
* the running page footer (a margin box) is marked as structure content, but its structure
  elements hang outside the tree: neither tagged nor an artifact. Its marked content becomes a
  pagination artifact (``/Artifact <</Type /Pagination /Subtype /Footer>>``), as PDF/UA expects
  of a repeated footer, and the detached elements are emptied and left out of the parent tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf

#: Marked content that becomes an artifact: a page footer repeated on every page.
FOOTER_ARTIFACT = {"Type": "/Pagination", "Subtype": "/Footer"}


def complete_structure(document: Any, pdf: pydyf.PDF) -> None:
    """Add table header scopes, the ID tree and footer artifacts to ``pdf`` (WeasyPrint finisher)."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    reachable = set(_reachable(pdf, root))
    _scope_table_headers(pdf, reachable)
    _add_id_tree(pdf, root, reachable)
    _footer_to_artifacts(pdf, root, reachable)


def _number(reference: Any) -> int | None:
    """The object number of an indirect reference (``b"12 0 R"``), or ``None`` for other values."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return int(reference.split()[0])
    return None


def _object(pdf: pydyf.PDF, reference: Any) -> Any:
    number = _number(reference)
    return None if number is None else pdf.objects[number]


def _reachable(pdf: pydyf.PDF, root: pydyf.Dictionary) -> Iterator[int]:
    """Object numbers of every structure element reachable from ``root`` through ``/K``."""
    stack = list(root["K"])
    while stack:
        number = _number(stack.pop())
        if number is None:
            continue
        element = pdf.objects[number]
        if isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem":
            yield number
            stack.extend(element.get("K", ()))


def _scope_table_headers(pdf: pydyf.PDF, reachable: set[int]) -> None:
    for number in reachable:
        element = pdf.objects[number]
        if element.get("S") != "/TH":
            continue
        row = _object(pdf, element["P"])
        group = _object(pdf, row["P"]) if row is not None else None
        in_head = group is not None and group.get("S") == "/THead"
        attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
        attributes["Scope"] = "/Column" if in_head else "/Row"


def _add_id_tree(pdf: pydyf.PDF, root: pydyf.Dictionary, reachable: set[int]) -> None:
    names = sorted(
        (str(pdf.objects[number]["ID"].string), number) for number in reachable if "ID" in pdf.objects[number]
    )
    if not names:
        return
    entries = pydyf.Array()
    for _, number in names:
        entries.extend([pdf.objects[number]["ID"], pdf.objects[number].reference])
    root["IDTree"] = pydyf.Dictionary({"Names": entries})


def _footer_to_artifacts(pdf: pydyf.PDF, root: pydyf.Dictionary, reachable: set[int]) -> None:
    """Turn marked content owned by detached structure elements into footer artifacts."""
    detached: dict[int, set[int]] = {}  # page object number -> MCIDs
    for element in pdf.objects:
        if not isinstance(element, pydyf.Dictionary) or element.get("Type") != "/StructElem":
            continue
        if element.number in reachable:
            continue
        page = _number(element.get("Pg"))
        mcids = {kid for kid in element.get("K", ()) if isinstance(kid, int)}
        if page is not None and mcids:
            detached.setdefault(page, set()).update(mcids)
        element.clear()
    numbers = _object(pdf, root["ParentTree"])["Nums"]
    for index, reference in enumerate(pdf.page_references):
        page = _number(reference)
        mcids = detached.get(page, set()) if page is not None else set()
        if page is None or not mcids:
            continue
        stream = _object(pdf, pdf.objects[page]["Contents"])
        _mark_artifacts(stream.stream, mcids)
        mapping = numbers[2 * index + 1] if numbers[2 * index] == index else None
        if mapping is not None:
            for mcid in mcids:
                if mcid < len(mapping):
                    mapping[mcid] = b"null"


def _mark_artifacts(operations: list[Any], mcids: set[int]) -> None:
    """In a content stream's operations, make the marked content with ``mcids`` footer artifacts."""
    for position, operation in enumerate(operations):
        if isinstance(operation, pydyf.Dictionary) and operation.get("MCID") in mcids:
            operations[position - 1] = "/Artifact"
            operations[position] = pydyf.Dictionary(FOOTER_ARTIFACT)
