"""YAML syntax errors in an editor's words: what is wrong, where, and what to write instead.

libyaml reports what its parser expected ("mapping values are not allowed in this context");
:func:`explain` looks at the lines around the error and names the usual mistake instead:

========================================  ==============================================
mistake                                   message (abridged)
========================================  ==============================================
a tab used to indent                      a tab cannot indent YAML: use spaces
a key indented more than the keys above   this key is indented more than the keys above it
a line indented less than the lines above this line is indented less than the line above it
unquoted text containing ``': '``         text containing ': ' must be quoted
no space after a key's colon              write a space after ':' (``title: Lupus``)
a list item out of line                   this list item is not lined up with the items above
a key inside a list of plain items        a key where a list item was expected
an unclosed ``"`` or ``'``                this quote is never closed
an unclosed ``[`` or ``{``                the '[' on line N is never closed
text after a closing quote                text follows the closing quote
text starting with ``@``, `````, ``%``    a value cannot start with '@': quote it
text starting with ``*`` or ``- ``        ... starts an alias / a list: quote it
a line of text that is not ``key: value`` this line is not 'key: value'
========================================  ==============================================

Anything else keeps libyaml's own words. Duplicate keys are found while building the data
(:mod:`immunopipe.load`), and a tab between a key's colon and its value there too.
"""

from __future__ import annotations

import re

import yaml

_BREAK = re.compile(r"\r\n|\r|\n")
#: ``key:`` followed directly by text, with no space: a key the author meant to separate.
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([^\s:#'\"][^:#]*?):([^\s:/])")
_MAPPING_VALUES = "mapping values are not allowed in this context"
_KEY = re.compile(r"^(\s*)(?:-\s+)?[^\s#'\"][^#]*?:(?:\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous_content(lines: list[str], index: int) -> int | None:
    """The index of the closest line above ``index`` that is not blank or a comment."""
    for above in range(index - 1, -1, -1):
        stripped = lines[above].strip()
        if stripped and not stripped.startswith("#"):
            return above
    return None


def explain(text: str, error: yaml.MarkedYAMLError, line: int, column: int) -> tuple[str, int, int]:
    """An editor's message for ``error`` found at 1-based ``line``/``column``, and where to show it."""
    lines = _BREAK.split(text)
    problem, context = error.problem or "", error.context or ""
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    char = current[column - 1 : column]
    above = _previous_content(lines, line - 1)

    if "cannot start any token" in problem:
        if char == "\t":
            return "a tab cannot indent YAML: indent with spaces", line, column
        if char in "@`%":
            return f"a value cannot start with '{char}': put the text in quotes", line, column
    if "while scanning a quoted scalar" in context and error.context_mark is not None:
        opening = error.context_mark
        quote = lines[opening.line][opening.column : opening.column + 1] if opening.line < len(lines) else '"'
        return (
            f"this quote is never closed: end the text with {quote}, or write ' inside \"...\" and \" inside '...'",
            opening.line + 1,
            opening.column + 1,
        )
    if problem.startswith("did not find expected ',' or"):
        bracket = "[" if "]" in problem else "{"
        closing = "]" if bracket == "[" else "}"
        start = error.context_mark
        where = f" on line {start.line + 1}" if start is not None else ""
        return (
            f"the '{bracket}'{where} is never closed: add '{closing}' after the last item,"
            " with ',' between items (or quote text that starts with it)",
            line,
            column,
        )
    if "while scanning an alias" in context or problem == "found undefined alias":
        star = error.context_mark if "while scanning an alias" in context else error.problem_mark
        star_line, star_column = (star.line + 1, star.column + 1) if star is not None else (line, column)
        return "a value cannot start with '*' (it marks an alias): put the text in quotes", star_line, star_column
    if problem == "block sequence entries are not allowed in this context":
        return "a value cannot start with '- ' on the line of its key: put the text in quotes", line, column
    if above is not None:
        missing_space = _NO_SPACE.match(lines[above])
        if missing_space and problem in (
            "mapping values are not allowed in this context",
            "could not find expected ':'",
        ):
            key = missing_space.group(2)
            return (
                f"write a space after ':' ('{key}: ...'): without it YAML reads the whole line as text",
                above + 1,
                len(missing_space.group(1)) + len(key) + 2,
            )
    if problem == _MAPPING_VALUES:
        before = current[: column - 1]
        if re.search(r":\s", before):
            return "text containing ': ' must be quoted: put the whole value in quotes", line, column
        if above is not None and _indent(current) > _indent(lines[above]):
            return (
                f"this key is indented more than the keys above it (line {above + 1}): line it up with them",
                line,
                _indent(current) + 1,
            )
    if problem == "did not find expected key":
        stripped = current[column - 1 :].lstrip()
        if stripped.startswith("- ") or stripped == "-":
            return (
                "a list item where a key was expected: indent the '- ' under the key the list belongs to,"
                " lined up with the items above it",
                line,
                column,
            )
        closed = current[: column - 1].rstrip()[-1:]
        if closed and closed in "\"']}" and _KEY.match(current):
            return f"text follows the closing {closed}: put the whole value in quotes", line, column
        if above is not None and _indent(current) < _indent(lines[above]):
            return (
                f"this line is indented less than the line above it (line {above + 1}): line it up with the keys"
                " it belongs with, or indent it as far as the text it continues",
                line,
                column,
            )
        if above is not None and _indent(current) > _indent(lines[above]):
            return (
                f"this line is indented more than the line above it (line {above + 1}): line it up with the"
                " keys around it, or indent the text it continues",
                line,
                column,
            )
    if problem == "did not find expected '-' indicator":
        if current.lstrip().startswith("-"):
            return "this list item is not lined up with the items above it: put its '-' under theirs", line, column
        return (
            "a key where a list item was expected: start the item with '- ', or indent the key under the item above",
            line,
            column,
        )
    if problem == "could not find expected ':'" and error.context_mark is not None:
        return (
            "this line is not 'key: value': add the key and ':', or indent it to continue the text above",
            error.context_mark.line + 1,
            error.context_mark.column + 1,
        )
    if problem == "did not find expected <document start>":
        return (
            "this line is indented less than the first line: start every top-level key at the first column",
            line,
            column,
        )
    detail = " ".join(part for part in (context, problem) if part)
    return detail, line, column
