"""Strict YAML loading: bytes to plain data plus a source map, from one libyaml parse.

What the author wrote is what gets checked:

* duplicate keys are errors (reported at the second key, naming the first);
* plain scalars follow a strict YAML 1.2 core reading: ``yes``/``no``/``on``/``off`` stay text,
  bare dates and times stay text (the schema's ``format`` judges them), ``012`` is text, not
  octal; only ``true``/``false``, ``null``/``~``, decimal integers and plain floats are typed;
* explicit tags (``!!binary``, ``!!timestamp``, ``!custom``) are rejected;
* a tab between a key's ``:`` and its value is an error: libyaml accepts it, but ruamel.yaml
  (check-jsonschema, pre-commit's check-yaml) refuses the file, and nobody can see the tab;
* size, nesting depth and alias expansion are bounded before any data is built, so an alias bomb
  or a recursive alias fails fast here instead of exploding later in an exporter;
* bytes that are not UTF-8 are reported with their line and column;
* lines are counted as editors count them: only ``\n``, ``\r\n`` and ``\r`` end a line. libyaml
  also breaks lines at NEL (U+0085) and the line and paragraph separators (U+2028, U+2029), so in
  a file holding any of them positions are recounted from the character offset;
* each of those three characters is a ``yaml-syntax`` error at its position: libyaml folds a NEL
  inside text into a space (or drops it), and any of them ends a comment for libyaml while an
  editor shows the rest of the comment on the same line, so what is checked would differ from
  what the author sees;
* an integer too long for Python to read (over 4,300 digits by default) is reported where it stands.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml
from yaml._yaml import CParser
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from immunopipe.pointer import escape_pointer_token
from immunopipe.safe_text import printable
from immunopipe.yaml_errors import explain

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_NODES = 1_000_000
#: Characters of text the document may hold once aliases are expanded: no more than the largest file.
MAX_EXPANDED_CHARS = MAX_FILE_BYTES
MAX_DEPTH = 64

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_PLAIN = "tag:immunopipe,2026:plain"

#: The plain scalars that are null or a boolean (the YAML 1.2 core schema's spellings).
_NULLS = frozenset({"null", "Null", "NULL", "~", ""})
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
#: First characters of the plain scalars that may be numbers.
_NUMBER_START = frozenset("-+.0123456789")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?")

#: The tag of a node written without one, by kind: BaseResolver's defaults.
_DEFAULT_TAGS: dict[type[Node], str] = {ScalarNode: _STR, SequenceNode: _SEQ, MappingNode: _MAP}


class _Composer(CParser, BaseResolver):
    """libyaml's parser without PyYAML's YAML 1.1 resolvers: plain scalars are marked, not typed."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return _DEFAULT_TAGS[kind]  # BaseResolver's answer, as no path resolvers are ever added


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
    #: The decoded text the data came from.
    text: str = ""


#: Line breaks for libyaml but not for editors (VS Code, Vim, Emacs).
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_EDITOR_BREAK = re.compile(r"\r\n|\r|\n")


class _Positions:
    """1-based line and column of a libyaml mark, counting lines as editors do."""

    def __init__(self, text: str) -> None:
        self._starts = (
            [0, *(match.end() for match in _EDITOR_BREAK.finditer(text))] if _YAML_ONLY_BREAKS.search(text) else None
        )

    def of(self, mark: Mark) -> tuple[int, int]:
        if self._starts is None:
            return mark.line + 1, mark.column + 1
        line = bisect_right(self._starts, mark.index) - 1
        return line + 1, mark.index - self._starts[line] + 1


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
    positions = _Positions(text)
    hidden_breaks = _hidden_line_breaks(text)
    try:
        root = _compose(text, positions)
    except LoadError as exc:  # a hidden line break may be what broke the YAML: say so first
        raise LoadError([*hidden_breaks, *exc.problems]) from None
    if root is None or (root.tag == _PLAIN and root.value == ""):
        raise LoadError([Problem("empty-file", "the file holds no YAML document", 1, 1)])
    if "&" in text:  # without anchors there are no aliases to expand
        _check_size(root, positions)
    builder = _Builder(positions, text if "\t" in text else "")
    data = builder.build(root, "", 0)
    problems = [*hidden_breaks, *builder.problems]
    return Document(path=path, data=data, source_map=builder.source_map, problems=problems, text=text)


_BREAK_NAMES = {"\x85": "NEL (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)", "\u2029": "PARAGRAPH SEPARATOR (U+2029)"}


def _hidden_line_breaks(text: str) -> list[Problem]:
    """A problem at each line break libyaml sees but editors do not (NEL, U+2028, U+2029)."""
    if not _YAML_ONLY_BREAKS.search(text):
        return []
    return [
        Problem(
            "yaml-syntax",
            f"{_BREAK_NAMES[match.group()]} here: YAML reads it as a line break that editors do not show "
            "(in text it is folded away, after a # it ends the comment); delete it, or write a space or a new line",
            *_position(text, match.start()),
        )
        for match in _YAML_ONLY_BREAKS.finditer(text)
    ]


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
    breaks = list(_EDITOR_BREAK.finditer(text, 0, index))
    return len(breaks) + 1, index - (breaks[-1].end() if breaks else 0) + 1


def _compose(text: str, positions: _Positions) -> Node | None:
    composer = _Composer(text)
    try:
        return composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = positions.of(mark) if mark else (1, 1)
        detail, line, column = explain(text, exc, line, column)
        raise LoadError([Problem("yaml-syntax", f"invalid YAML: {printable(detail)}", line, column)]) from None
    except yaml.reader.ReaderError as exc:
        line, column = _position(text, exc.position)
        raise LoadError([Problem("yaml-syntax", f"invalid YAML: {exc.reason}", line, column)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem("yaml-syntax", f"invalid YAML: {exc}", 1, 1)]) from None
    finally:
        composer.dispose()


def _problem_at(mark: Mark, rule: str, message: str, positions: _Positions) -> LoadError:
    """A :class:`LoadError` for one problem at ``mark``."""
    return LoadError([Problem(rule, message, *positions.of(mark))])


def _check_size(root: Node, positions: _Positions) -> None:
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
            message = "an alias refers to a node that contains it (recursive alias)"
            raise _problem_at(mark, "yaml-alias", message, positions)
        if depth > MAX_DEPTH:
            raise _problem_at(mark, "yaml-depth", f"nesting is deeper than {MAX_DEPTH} levels", positions)
        in_progress.add(key)
        total, chars = 1, len(node.value) if isinstance(node, ScalarNode) else 0
        for child in _children(node):
            child_total, child_chars = size(child, depth + 1)
            total, chars = total + child_total, chars + child_chars
        in_progress.discard(key)
        if total > MAX_NODES:
            message = f"the document expands to more than {MAX_NODES:,} nodes (aliases repeat too much)"
            raise _problem_at(mark, "yaml-alias", message, positions)
        if chars > MAX_EXPANDED_CHARS:
            message = (
                f"the document expands to more than {MAX_EXPANDED_CHARS:,} characters of text (aliases repeat too much)"
            )
            raise _problem_at(mark, "yaml-alias", message, positions)
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
    if node.tag != _PLAIN:
        return value
    if value in _NULLS:
        return None
    if value in _BOOLEANS:
        return _BOOLEANS[value]
    if value[0] in _NUMBER_START:
        if _INT.fullmatch(value):
            return int(value)
        if _FLOAT.fullmatch(value):
            return float(value)
    return value


def _key_value(node: Node) -> Any:
    """A mapping key's value; ``None`` (not text, so a ``yaml-key`` problem) for any but a scalar."""
    if not isinstance(node, ScalarNode):
        return None
    try:
        return _scalar_value(node)
    except ValueError:  # an integer too long to convert is not text either
        return None


class _Builder:
    """Turns composed nodes into plain data, recording positions and problems."""

    def __init__(self, positions: _Positions, tabbed_text: str) -> None:
        self.source_map = SourceMap()
        self.problems: list[Problem] = []
        self._positions = positions
        #: The text, when it holds a tab (else empty): needed only to find tabs after a colon.
        self._tabbed_text = tabbed_text

    def _check_tab_after_colon(self, key_node: Node, pointer: str) -> None:
        """A problem when a tab separates the key's ``:`` from a value on the same line."""
        text, end = self._tabbed_text, key_node.end_mark.index
        colon = end + len(text[end:].split(":", 1)[0])
        after = text[colon + 1 : colon + 2]
        rest = text[colon + 1 :].lstrip(" \t")[:1]
        if after == "\t" and rest not in ("", "\n", "\r", "#"):
            line, column = self._positions.of(key_node.end_mark)
            self.problems.append(
                Problem(
                    "yaml-syntax",
                    "a tab follows ':' here: use a space (other YAML tools refuse a tab after a colon)",
                    line,
                    column + colon + 1 - end,
                    pointer,
                )
            )

    def build(self, node: Node, pointer: str, depth: int) -> Any:
        mark = node.start_mark
        if depth > MAX_DEPTH:
            raise _problem_at(mark, "yaml-depth", f"nesting is deeper than {MAX_DEPTH} levels", self._positions)
        where = self._positions.of(mark)
        self.source_map.values[pointer] = where
        if node.tag not in (_PLAIN, _STR, _SEQ, _MAP):
            self.problems.append(
                Problem(
                    "yaml-tag",
                    f"explicit tag {_short_tag(node.tag)} is not allowed; write plain values",
                    *where,
                    pointer,
                )
            )
            return None
        if isinstance(node, ScalarNode):
            return self._scalar(node, pointer)
        if isinstance(node, SequenceNode):
            return [self.build(child, f"{pointer}/{index}", depth + 1) for index, child in enumerate(node.value)]
        return self._build_mapping(cast(MappingNode, node), pointer, depth)

    def _scalar(self, node: ScalarNode, pointer: str) -> Any:
        """The node's value; an integer too long to convert is a ``yaml-number`` problem (and ``None``)."""
        try:
            return _scalar_value(node)
        except ValueError:  # Python's limit on converting long digit strings (CVE-2020-10735)
            digits = len(node.value.lstrip("+-"))
            message = (
                f"this integer has {digits:,} digits, more than the {sys.get_int_max_str_digits():,} "
                "a number may have; quote it if it is text"
            )
            self.problems.append(Problem("yaml-number", message, *self._positions.of(node.start_mark), pointer))
            return None

    def _build_mapping(self, node: MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            where = self._positions.of(key_node.start_mark)
            key = _key_value(key_node)
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
            if self._tabbed_text:
                self._check_tab_after_colon(key_node, child)
            self.source_map.keys[child] = where
            result[key] = self.build(value_node, child, depth + 1)
        return result
