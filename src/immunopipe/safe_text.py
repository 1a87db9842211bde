"""Text from files and names made safe to show: valid UTF-8, and nothing a terminal would act on.

File names that are not UTF-8 reach Python as lone surrogates (``surrogateescape``); keys and
messages may hold control characters, escape sequences and line breaks. :func:`valid_text`
makes any of them valid UTF-8 (for JSON); :func:`printable` also escapes what a terminal would
act on (for text reports, annotations and one-line messages).
"""

from __future__ import annotations

from contextlib import suppress


def valid_text(value: str | bytes) -> str:
    """``value`` as valid UTF-8 text: bytes that are not UTF-8 (also surrogate-escaped ones) as ``\\xNN``."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if value.isascii():
        return value
    with suppress(UnicodeEncodeError):  # only lone surrogates fail to encode as UTF-8
        value.encode("utf-8")
        return value
    with suppress(UnicodeEncodeError):  # the surrogate-escaped bytes of a file name
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def printable(value: object) -> str:
    """``value`` as text safe for a terminal: control characters, ESC and undecodable bytes escaped.

    Bytes that are not UTF-8 show as ``\\xNN``; control and other unprintable characters as
    Python's ``repr`` writes them (``\\n``, ``\\x1b``, ``\\u200b``). Printable text is returned as is.
    """
    if isinstance(value, str) and value.isascii() and value.isprintable():
        return value  # most names: nothing to escape
    text = valid_text(value if isinstance(value, bytes) else str(value))
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)


def shortened(text: str, limit: int = 160) -> str:
    """``text`` cut to ``limit`` characters by an ellipsis in the middle (a path too long to show whole)."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"
