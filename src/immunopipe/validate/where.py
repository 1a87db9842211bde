"""Where a node is, in the words of the article: ``medicine_classes > mtor-inhibitors > mechanism``.

List items are named by their ``id`` (or a glossary entry by its ``term``) rather than by an
index that changes whenever an item is added above them; items without either are numbered from
1 (``item 3``). Keys are shown with invisible characters escaped (:func:`~immunopipe.safe_text.printable`).
"""

from __future__ import annotations

from typing import Any

from immunopipe.safe_text import printable

SEPARATOR = " > "


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~") if "~" in token else token


def _item_name(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "term"):
            if isinstance(item.get(key), str) and item[key]:
                return printable(item[key])
    return f"item {index + 1}"


def describe(data: Any, pointer: str) -> str:
    """The path of ``pointer`` in ``data``, naming list items by id; ``""`` for the whole article."""
    parts = []
    node = data
    for token in pointer.split("/")[1:] if pointer else []:
        name = _unescape(token)
        if isinstance(node, list) and name.isdigit() and int(name) < len(node):
            node = node[int(name)]
            parts.append(_item_name(node, int(name)))
        elif isinstance(node, dict) and name in node:
            node = node[name]
            parts.append(printable(name))
        else:
            node = None
            parts.append(printable(name))
    return SEPARATOR.join(parts)
