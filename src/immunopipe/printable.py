"""Text shown in messages with its invisible characters made visible.

Keys, values and file names may hold control characters, terminal escape sequences, line or
paragraph separators and bidirectional controls; printed as they are, they corrupt a terminal or
make a message lie about what the file holds. :func:`printable` shows each one as a Python-style
escape (``\\x1b``, ``\\u2028``) and leaves every other character as it is.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional controls.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, separator and bidi characters escaped (a backslash stays as it is)."""
    return _INVISIBLE.sub(_escape, text)
