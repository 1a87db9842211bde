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

#: Names that name nobody (compared after ``strip().casefold()``), for publishers and sources.
NOT_A_NAME = frozenset({"unknown", "n/a", "na", "none", "not known", "anonymous"})
