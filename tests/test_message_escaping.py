"""Control characters and escape sequences in keys, values and ids are shown escaped in messages."""

from __future__ import annotations

from immunopipe.load import load_bytes
from immunopipe.safe_text import printable
from immunopipe.validate.schema import SchemaChecker


def test_invisible_characters_are_escaped_and_the_rest_kept() -> None:
    assert printable("a\x1b[31mb\tc\nd\r\x00\x7f\x85\u2028\u202e é ≥ 免疫") == (
        "a\\x1b[31mb\\tc\\nd\\r\\x00\\x7f\\x85\\u2028\\u202e é ≥ 免疫"
    )
    assert printable("plain text") == "plain text"


def test_keys_and_values_in_messages_are_escaped() -> None:
    document = load_bytes(b'"\\e[2Jtitle": 1\n"\\e[2Jtitle": 2\nid: "a\\e]0;x\\a"\n')
    assert document.problems[0].message == "duplicate key '\\x1b[2Jtitle': first defined at line 1, column 1"
    messages = [d.message for d in SchemaChecker().check(document)]
    assert "'\\x1b[2Jtitle' should be 'title' (a required key): correct the spelling" in messages
    assert any("'a\\x1b]0;x\\x07'" in m for m in messages)
    assert not any("\x1b" in m or "\x07" in m for m in messages)
