"""JSON pointers (RFC 6901), which locate a value in an article for diagnostics and rules."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096, typed=True)  # articles share their few keys; typed: True is not 1
def escape_pointer_token(token: str | int) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text
