"""Strict YAML loading: bytes to plain data plus a source map, from one libyaml parse.

What the author wrote is what gets checked:

* duplicate keys are errors (reported at the second key, naming the first);
* plain scalars follow a strict YAML 1.2 core reading: ``yes``/``no``/``on``/``off`` stay text,
  bare dates and times stay text (the schema's ``format`` judges them), ``012`` is text, not
  octal; only ``true``/``false``, ``null``/``~``, decimal integers and plain floats are typed;
* explicit tags (``!!binary``, ``!!timestamp``, ``!custom``) are rejected;
* size, nesting depth and alias expansion are bounded before any data is built, so an alias bomb
  or a recursive alias fails fast here instead of exploding later in an exporter;
* bytes that are not UTF-8 are reported with their line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from yaml._yaml import CParser
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from immunopipe.pointer import escape_pointer_token

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 1_000_000
#: Characters of text the document may hold once aliases are expanded: no more than the largest file.
MAX_EXPANDED_CHARS = MAX_FILE_BYTES
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_PLAIN = "tag:immunopipe,2026:plain"

#: First characters of the plain scalars that are not text; anything else is text at once.
_TYPED_START = frozenset("-+.0123456789~nNtTfF")
_NULL = re.compile(r"null|Null|NULL|~|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?")


class _Composer(CParser, BaseResolver):
    """libyaml's parser without PyYAML's YAML 1.1 resolvers: plain scalars are marked, not typed."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)


@dataclass(frozen=True)
class Problem:
    """One reason a file could not be loaded, with a 1-based position."""

    rule: str
    message: str
    line: int
    column: int
    pointer: str = ""


class LoadError(Exception):
    """A file could not be turned into data; ``problems`` says why, each with a position."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class SourceMap:
    """Where each node of a document stands: JSON pointer to (line, column), 1-based."""

    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Position of ``pointer`` (its key with ``key=True``), else of its nearest ancestor."""
        if key and pointer in self.keys:
            return self.keys[pointer]
        while True:
            if pointer in self.values:
                return self.values[pointer]
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]


@dataclass
class Document:
    """A loaded content file: its data and where every node came from."""

    path: str
    data: Any
    source_map: SourceMap
    problems: list[Problem] = field(default_factory=list)


def read_content_file(path: Path) -> bytes:
    """The bytes of a content file; its size is checked before anything is read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError([_too_large(size)])
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise LoadError([Problem("file-unreadable", f"cannot read file: {exc.strerror}", 1, 1)]) from exc


def load_path(path: Path, *, display: str | None = None) -> Document:
    """Read and load one file."""
    return load_bytes(read_content_file(path), display or str(path))


def load_bytes(raw: bytes, path: str = "<bytes>") -> Document:
    """Load one YAML document from ``raw``.

    Raises :class:`LoadError` when no data can be built. Problems that still leave usable data
    (duplicate keys, tags, non-text keys) are returned in :attr:`Document.problems`, so the
    schema can report everything else in the same run.
    """
    if len(raw) > MAX_FILE_BYTES:
        raise LoadError([_too_large(len(raw))])
    text = _decode(raw)
    root = _compose(text)
    if root is None or (root.tag == _PLAIN and root.value == ""):
        raise LoadError([Problem("empty-file", "the file holds no YAML document", 1, 1)])
    if "&" in text:  # without anchors there are no aliases to expand
        _check_size(root)
    builder = _Builder()
    data = builder.build(root, "", 0)
    return Document(path=path, data=data, source_map=builder.source_map, problems=builder.problems)


def _too_large(size: int) -> Problem:
    return Problem(
        "file-too-large",
        f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes",
        1,
        1,
    )


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw[: exc.start].decode("utf-8", "replace"), exc.start)
        raise LoadError(
            [
                Problem(
                    "encoding",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
                    line,
                    column,
                )
            ]
        ) from None
    return text.removeprefix("\ufeff")


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    before = text[:index]
    line = before.count("\n") + 1
    return line, index - (before.rfind("\n") + 1) + 1


def _compose(text: str) -> Node | None:
    composer = _Composer(text)
    try:
        return composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise LoadError([Problem("yaml-syntax", f"invalid YAML: {detail}", line, column)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        raise LoadError([Problem("yaml-syntax", f"invalid YAML: {exc.reason}", line, column)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem("yaml-syntax", f"invalid YAML: {exc}", 1, 1)]) from None
    finally:
        composer.dispose()


def _problem_at(mark: Mark, rule: str, message: str) -> LoadError:
    """A :class:`LoadError` for one problem at ``mark`` (0-based, as yaml gives it)."""
    return LoadError([Problem(rule, message, mark.line + 1, mark.column + 1)])


def _check_size(root: Node) -> None:
    """Bound nesting depth and the size after alias expansion, without expanding anything.

    The size is counted in nodes and in characters of text: an alias repeating one long text
    would otherwise make every later step work on far more text than any file can hold.
    """
    sizes: dict[int, tuple[int, int]] = {}
    in_progress: set[int] = set()

    def size(node: Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        mark = node.start_mark
        if key in in_progress:
            raise _problem_at(mark, "yaml-alias", "an alias refers to a node that contains it (recursive alias)")
        if depth > MAX_DEPTH:
            raise _problem_at(mark, "yaml-depth", f"nesting is deeper than {MAX_DEPTH} levels")
        in_progress.add(key)
        total, chars = 1, len(node.value) if isinstance(node, ScalarNode) else 0
        for child in _children(node):
            child_total, child_chars = size(child, depth + 1)
            total, chars = total + child_total, chars + child_chars
        in_progress.discard(key)
        if total > MAX_NODES:
            message = f"the document expands to more than {MAX_NODES:,} nodes (aliases repeat too much)"
            raise _problem_at(mark, "yaml-alias", message)
        if chars > MAX_EXPANDED_CHARS:
            message = (
                f"the document expands to more than {MAX_EXPANDED_CHARS:,} characters of text (aliases repeat too much)"
            )
            raise _problem_at(mark, "yaml-alias", message)
        sizes[key] = (total, chars)
        return total, chars

    size(root, 0)


def _children(node: Node) -> list[Node]:
    """The nodes directly inside ``node``: a sequence's items, a mapping's keys and values."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _scalar_value(node: ScalarNode) -> Any:
    value = node.value
    if node.tag != _PLAIN or (value and value[0] not in _TYPED_START):
        return value
    if _NULL.fullmatch(value):
        return None
    if _TRUE.fullmatch(value):
        return True
    if _FALSE.fullmatch(value):
        return False
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value


class _Builder:
    """Turns composed nodes into plain data, recording positions and problems."""

    def __init__(self) -> None:
        self.source_map = SourceMap()
        self.problems: list[Problem] = []

    def build(self, node: Node, pointer: str, depth: int) -> Any:
        mark = node.start_mark
        if depth > MAX_DEPTH:
            raise _problem_at(mark, "yaml-depth", f"nesting is deeper than {MAX_DEPTH} levels")
        self.source_map.values[pointer] = (mark.line + 1, mark.column + 1)
        if node.tag not in (_PLAIN, _STR, _SEQ, _MAP):
            self.problems.append(
                Problem(
                    "yaml-tag",
                    f"explicit tag {_short_tag(node.tag)} is not allowed; write plain values",
                    mark.line + 1,
                    mark.column + 1,
                    pointer,
                )
            )
            return None
        if isinstance(node, ScalarNode):
            return _scalar_value(node)
        if isinstance(node, SequenceNode):
            return [self.build(child, f"{pointer}/{index}", depth + 1) for index, child in enumerate(node.value)]
        return self._build_mapping(cast(MappingNode, node), pointer, depth)

    def _build_mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            where = (mark.line + 1, mark.column + 1)
            key = _scalar_value(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                self.problems.append(
                    Problem(
                        "yaml-key",
                        "mapping keys must be plain text (quote numbers, booleans and nulls used as keys)",
                        *where,
                        pointer,
                    )
                )
                continue
            child = f"{pointer}/{escape_pointer_token(key)}"
            if key in first_seen:
                line, column = first_seen[key]
                self.problems.append(
                    Problem(
                        "duplicate-key",
                        f"duplicate key {key!r}: first defined at line {line}, column {column}",
                        *where,
                        child,
                    )
                )
                continue
            first_seen[key] = where
            self.source_map.keys[child] = where
            result[key] = self.build(value_node, child, depth + 1)
        return result
