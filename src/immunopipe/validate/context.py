"""What a rule receives and returns: the context it runs in and the findings it yields."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any, TypeVar

from immunopipe.pointer import escape_pointer_token

T = TypeVar("T")


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


def per_article(function: Callable[[dict[str, Any]], Iterable[T]]) -> Callable[[dict[str, Any]], tuple[T, ...]]:
    """Remember ``function``'s result for the article most recently passed to it.

    Every rule of a run looks at the same article object in turn, so a walk over it is done once
    and shared. The article itself is kept as the key (compared by identity), so a new article
    can never be mistaken for it.
    """
    last: list[Any] = [None, ()]

    @wraps(function)
    def remembered(article: dict[str, Any]) -> tuple[T, ...]:
        if last[0] is not article:
            last[:] = [article, tuple(function(article))]
        return last[1]

    return remembered


@per_article
def nodes(article: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every value in ``article`` with its JSON pointer, depth first, in document order.

    Built from a stack of the nodes still to visit, so no generator is made per node.
    """
    found: list[tuple[str, Any]] = []
    pending: list[tuple[str, Any]] = [("", article)]
    while pending:
        pointer, node = pending.pop()
        found.append((pointer, node))
        if isinstance(node, dict):
            children = [(f"{pointer}/{escape_pointer_token(key)}", value) for key, value in node.items()]
        elif isinstance(node, list):
            children = [(f"{pointer}/{index}", value) for index, value in enumerate(node)]
        else:
            continue
        children.reverse()  # the stack pops from its end: the first child must be on top
        pending += children
    return found


@per_article
def walk(article: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every mapping in ``article`` with its JSON pointer, depth first, in document order."""
    return [(pointer, node) for pointer, node in nodes(article) if isinstance(node, dict)]
