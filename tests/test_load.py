"""Strict loading: what the author wrote is what gets checked."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from yaml.cyaml import CParser

from immunopipe import load
from immunopipe.load import LoadError, load_bytes, load_path


def problems_of(text: str | bytes) -> list[tuple[str, int, int]]:
    """(rule, line, column) of every problem loading ``text`` reports."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    try:
        document = load_bytes(raw, "x.yaml")
    except LoadError as exc:
        return [(p.rule, p.line, p.column) for p in exc.problems]
    return [(p.rule, p.line, p.column) for p in document.problems]


def test_uses_the_libyaml_parser() -> None:
    assert issubclass(load._Composer, CParser)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: yes", "yes"),
        ("a: no", "no"),
        ("a: off", "off"),
        ("a: On", "On"),
        ("a: 012", "012"),
        ("a: 12:30:00", "12:30:00"),
        ("a: 2024-01-15", "2024-01-15"),
        ("a: 1e3", 1000.0),
        ("a: .inf", ".inf"),
        ("a: 0x1F", "0x1F"),
        ("a: true", True),
        ("a: False", False),
        ("a: null", None),
        ("a: ~", None),
        ("a:", None),
        ("a: 42", 42),
        ("a: -7", -7),
        ("a: 1.5", 1.5),
        ("a: 1.0e+3", 1000.0),
        ("a: '42'", "42"),
        ('a: "true"', "true"),
        ("a: !!str 12", "12"),
        ("a: NULL", None),
        ("a: nULL", "nULL"),
        ("a: TRUE", True),
        ("a: tRUE", "tRUE"),
        ("a: nothing", "nothing"),
        ("a: ''", ""),
        ("a: +5", 5),
        ("a: .5", 0.5),
        ("a: -.5", -0.5),
        ("a: 5.", 5.0),
        ("a: -x", "-x"),
    ],
)
def test_plain_scalars_follow_a_strict_core_schema(text: str, expected: object) -> None:
    assert load_bytes(text.encode()).data == {"a": expected}


def test_duplicate_key_is_reported_at_the_second_naming_the_first() -> None:
    raw = b"a: 1\nb:\n  c: 1\n  c: 2\na: 3\n"
    document = load_bytes(raw)
    found = [(p.rule, p.line, p.column, p.message) for p in document.problems]
    assert found == [
        ("duplicate-key", 4, 3, "duplicate key 'c': first defined at line 3, column 3"),
        ("duplicate-key", 5, 1, "duplicate key 'a': first defined at line 1, column 1"),
    ]
    assert document.data == {"a": 1, "b": {"c": 1}}


@pytest.mark.parametrize(
    "tag",
    [
        "!!binary aGk=",
        "!!timestamp 2024-01-01",
        "!!python/object:os.system x",
        "!custom x",
        "!!int 3",
    ],
)
def test_explicit_tags_are_rejected(tag: str) -> None:
    assert problems_of(f"a: {tag}\n") == [("yaml-tag", 1, 4)]


def test_non_text_keys_are_rejected() -> None:
    assert problems_of("1: a\n") == [("yaml-key", 1, 1)]
    assert problems_of("? [a]\n: b\n") == [("yaml-key", 1, 3)]


def test_billion_laughs_is_rejected_fast() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    raw = ("\n".join(levels) + "\n").encode()
    assert len(raw) < 700
    started = time.perf_counter()
    found = problems_of(raw)
    elapsed = time.perf_counter() - started
    assert found[0][0] == "yaml-alias"
    assert elapsed < 0.5


def test_recursive_alias_is_rejected() -> None:
    assert problems_of("a: &x [*x]\n")[0][0] == "yaml-alias"


def test_deep_nesting_is_a_clean_error() -> None:
    block = "".join(f"{'  ' * i}k{i}:\n" for i in range(80)) + f"{'  ' * 80}v\n"
    assert problems_of(block)[0][0] == "yaml-depth"
    assert problems_of("[" * 20000)[0][0] == "yaml-syntax"


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * load.MAX_FILE_BYTES + b"\n")
    with pytest.raises(LoadError) as caught:
        load_path(path)
    assert caught.value.problems[0].rule == "file-too-large"


def test_invalid_utf8_is_located() -> None:
    assert problems_of(b"a: 1\nb: caf\xe9\n") == [("encoding", 2, 7)]


def test_nul_byte_is_a_syntax_error_with_position() -> None:
    assert problems_of(b"a: 1\nb: x\x00y\n") == [("yaml-syntax", 2, 5)]


def test_utf8_bom_is_accepted() -> None:
    assert load_bytes("\ufeffa: 1\n".encode()).data == {"a": 1}


def test_lone_surrogate_escape_is_rejected() -> None:
    assert problems_of('a: "\\ud800"\n')[0][0] == "yaml-syntax"


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_documents_are_reported(text: str) -> None:
    rule = problems_of(text)[0][0]
    assert rule == "empty-file"


def test_several_documents_are_rejected() -> None:
    assert problems_of("a: 1\n---\nb: 2\n") == [("yaml-syntax", 2, 1)]


def test_tabs_for_indentation_are_a_syntax_error() -> None:
    assert problems_of("a:\n\tb: 1\n")[0][0] == "yaml-syntax"


def test_source_map_gives_line_and_column_of_every_node() -> None:
    document = load_bytes(b"title: x\nuses:\n  - id: a\n    tags: [p, q]\n")
    source_map = document.source_map
    assert source_map.locate("/title") == (1, 8)
    assert source_map.locate("/title", key=True) == (1, 1)
    assert source_map.locate("/uses/0/id") == (3, 9)
    assert source_map.locate("/uses/0/tags/1") == (4, 15)
    assert source_map.locate("/uses/0/missing") == (3, 5)


def test_keys_with_slashes_and_tildes_get_escaped_pointers() -> None:
    document = load_bytes(b"a/b: 1\nc~d: 2\n")
    assert document.source_map.locate("/a~1b") == (1, 6)
    assert document.source_map.locate("/c~0d") == (2, 6)


def test_an_integer_too_long_to_convert_is_a_located_problem() -> None:
    digits = "9" * 5000
    assert problems_of(f"a: 1\nb: {digits}\n") == [("yaml-number", 2, 4)]
    assert problems_of(f"a: -{digits}\n") == [("yaml-number", 1, 4)]
    assert load_bytes(f"a: {'9' * 4300}\n".encode()).data == {"a": int("9" * 4300)}
    assert load_bytes(f'a: "{digits}"\n'.encode()).data == {"a": digits}


def test_an_integer_too_long_as_a_key_is_not_text() -> None:
    assert problems_of(f"? {'1' * 5000}\n: a\n") == [("yaml-key", 1, 3)]
