"""YAML mistakes editors make, each reported in plain words at the line and column to fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from immunopipe.load import LoadError, load_bytes


def problem(text: str) -> tuple[int, int, str]:
    with pytest.raises(LoadError) as caught:
        load_bytes(text.encode("utf-8"))
    first = caught.value.problems[0]
    assert first.rule == "yaml-syntax"
    return first.line, first.column, first.message.removeprefix("invalid YAML: ")


@pytest.mark.parametrize(
    ("mistake", "text", "line", "column", "words"),
    [
        ("tab indentation", "editorial:\n\tauthor: unknown\n", 2, 1, "a tab cannot indent YAML: indent with spaces"),
        (
            "key indented more than the keys above",
            "title: Lupus\n  summary: Short.\n",
            2,
            3,
            "this key is indented more than the keys above it (line 1): line it up with them",
        ),
        (
            "key indented less than the keys above",
            "editorial:\n    author: unknown\n  funding: none\n",
            3,
            3,
            "this line is indented less than the line above it (line 2)",
        ),
        (
            "unquoted text containing ': '",
            "title: Note: read this first\n",
            1,
            12,
            "text containing ': ' must be quoted: put the whole value in quotes",
        ),
        (
            "unclosed double quote",
            'title: "Lupus\nsummary: x\n',
            1,
            8,
            'this quote is never closed: end the text with "',
        ),
        (
            "unclosed single quote",
            "title: 'Lupus\nsummary: x\n",
            1,
            8,
            "this quote is never closed: end the text with '",
        ),
        (
            "missing space after colon",
            "title:Lupus\nsummary: Short.\n",
            1,
            7,
            "write a space after ':' ('title: ...')",
        ),
        (
            "list item at the wrong indent",
            "uses:\n  - id: a\n    title: A\n   - id: b\n",
            4,
            4,
            "this list item is not lined up with the items above it: put its '-' under theirs",
        ),
        (
            "list item where a key belongs",
            "uses:\n  - a\n - b\n",
            3,
            2,
            "a list item where a key was expected: indent the '- ' under the key the list belongs to",
        ),
        (
            "unclosed bracket",
            "codes: [a, b\nsummary: x\n",
            2,
            8,
            "the '[' on line 1 is never closed: add ']' after the last item",
        ),
        (
            "text after a closing quote",
            'title: "Lupus" and more\n',
            1,
            16,
            'text follows the closing ": put the whole value in quotes',
        ),
        (
            "value starting with @",
            "publisher: @askvity\n",
            1,
            12,
            "a value cannot start with '@': put the text in quotes",
        ),
        ("value starting with *", "title: *Important*\n", 1, 8, "a value cannot start with '*' (it marks an alias)"),
        (
            "a line that is not key: value",
            "title: Lupus\nA chronic disease\nsummary: x\n",
            2,
            1,
            "this line is not 'key: value': add the key and ':', or indent it to continue the text above",
        ),
    ],
)
def test_common_mistakes_in_plain_words(mistake: str, text: str, line: int, column: int, words: str) -> None:
    found = problem(text)
    assert found[:2] == (line, column), (mistake, found)
    assert found[2].startswith(words), (mistake, found[2])


def test_duplicate_key_names_the_first(seed_text: str) -> None:
    document = load_bytes(b"title: a\nsummary: b\ntitle: c\n")
    assert [(p.rule, p.line, p.column, p.message) for p in document.problems] == [
        ("duplicate-key", 3, 1, "duplicate key 'title': first defined at line 1, column 1")
    ]


def test_tab_after_a_colon_is_refused_but_tabs_in_text_are_fine() -> None:
    document = load_bytes(b'title:\tLupus\nsummary: "a\tb"\nnote: |\n  x:\ty\n')
    assert [(p.line, p.column, p.message) for p in document.problems] == [
        (1, 7, "a tab follows ':' here: use a space (other YAML tools refuse a tab after a colon)")
    ]


def test_lines_are_counted_as_editors_count_them() -> None:
    """NEL (U+0085) and U+2028/U+2029 end a line for libyaml but not for VS Code: positions follow the editor."""
    document = load_bytes('a: "x\u2028y"\nb: "w\x85z"\nc: [1,\n'.encode().replace(b"c: [1,\n", b"c: 1\n"))
    assert document.source_map.keys["/b"] == (2, 1) and document.source_map.keys["/c"] == (3, 1)
    with pytest.raises(LoadError) as caught:
        load_bytes('a: "x\u2028y"\nb: [1\nc: 2\n'.encode())
    assert [(p.line, p.column) for p in caught.value.problems] == [(1, 6), (3, 2)]
    assert problem("a: 1\rb: [1\rc: 2\r")[:2] == (3, 2)


@pytest.mark.parametrize(
    ("text", "line", "named"),
    [
        ("title: What \x85 is\n", 1, "NEL (U+0085)"),
        ('id: x\ntitle: "What \u2028 is"\n', 2, "LINE SEPARATOR (U+2028)"),
        ('id: x\ntitle: y\nsummary: "one\u2029two"\n', 3, "PARAGRAPH SEPARATOR (U+2029)"),
    ],
)
def test_a_line_break_editors_do_not_show_is_an_error_where_it_is(text: str, line: int, named: str) -> None:
    [hidden] = load_bytes(text.encode()).problems
    assert (hidden.rule, hidden.line) == ("yaml-syntax", line)
    assert hidden.message.startswith(f"{named} here: YAML reads it as a line break")


def test_a_line_break_hidden_in_a_comment_is_named_before_the_syntax_error_it_causes() -> None:
    with pytest.raises(LoadError) as caught:
        load_bytes("# note\u2028title: [\nid: x\n".encode())
    first, *rest = caught.value.problems
    assert (first.line, first.column) == (1, 7) and first.message.startswith("LINE SEPARATOR (U+2028) here")
    assert rest and rest[0].message.startswith("invalid YAML")


def test_installed_cli_says_it_in_plain_words(tmp_path: Path, seed_text: str) -> None:
    script = shutil.which("immunopipe", path=os.path.dirname(sys.executable))
    assert script
    path = tmp_path / "immune-system-medicine.yaml"
    path.write_text(seed_text.replace("\n  publisher:\n", "\n\tpublisher:\n", 1), encoding="utf-8")
    line = seed_text[: seed_text.index("\n  publisher:\n")].count("\n") + 2
    result = subprocess.run([script, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"{path}:{line}:1: error: invalid YAML: a tab cannot indent YAML: indent with spaces [yaml-syntax]" in (
        result.stdout
    )
