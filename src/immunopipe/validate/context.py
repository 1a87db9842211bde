"""What a rule receives and returns: the context it runs in and the findings it yields."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from immunopipe.load import escape_pointer_token


@dataclass(frozen=True)
class Finding:
    """A rule's verdict about one node: where (JSON pointer) and what is wrong."""

    pointer: str
    message: str
    at_key: bool = False


@dataclass(frozen=True)
class RuleContext:
    """What rules may depend on besides the article: the date (injectable) and options."""

    today: date = field(default_factory=date.today)
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleRef:
    """What library-wide rules see of an article that passed the schema: its file and id."""

    path: str
    id: str
    id_position: tuple[int, int]


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping in ``node`` with its JSON pointer, depth first, in document order."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{escape_pointer_token(key)}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")
