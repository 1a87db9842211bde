"""Words several rules share, kept here so that no rule imports another."""

from __future__ import annotations

import re

#: Text still to be written: ``TODO`` and friends, ``lorem ipsum``, ``[insert ...]`` prompts, ``???``.
PLACEHOLDER = re.compile(
    r"\b(?:TODO|TBD|TBC|FIXME|XXX)\b"
    r"|(?i:\blorem ipsum\b)"
    r"|(?i:\[\s*(?:insert|add|enter|placeholder)\b[^\]]*\])"
    r"|\?{3,}"
)
